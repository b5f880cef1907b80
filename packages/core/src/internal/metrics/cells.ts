// Metric families whose labelled series are plain objects updated in place: prom-client's own children hash their
// label set (and a histogram's allocates) on every update, so the per-event series keep their values here and
// prom-client reads them only when /metrics is scraped.
import { Counter, Histogram, type Registry } from 'prom-client';

type LabelSet<L extends string> = Readonly<Record<L, string>>;

interface FamilyConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

/** One series of a counter: `value` is what /metrics shows. */
export class ValueCell {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

/** One series of a histogram: per-bucket counts (not cumulative; the scrape adds them up), sum and count. */
export class HistogramCell {
  sum = 0;
  count = 0;
  readonly counts: number[];

  constructor(private readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    const { bounds } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]! += 1;
        return;
      }
    }
  }
}

/** The series of one family, by label values; a series exists (at 0) from its `cell()` call. */
class Series<L extends string, C> {
  readonly entries = new Map<string, { labels: LabelSet<L>; cell: C }>();

  constructor(
    private readonly labelNames: readonly L[],
    private readonly create: () => C,
  ) {}

  /** Called once per label set when a handle binds it, never per event: the same labels give the same cell. */
  cell(labels: LabelSet<L>): C {
    const key = JSON.stringify(this.labelNames.map((n) => labels[n]));
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { labels: { ...labels }, cell: this.create() }));
    return entry.cell;
  }

  /** A counter's series as prom-client's `get()` lists them. */
  values(this: Series<L, ValueCell>): Array<{ labels: LabelSet<L>; value: number }> {
    return [...this.entries.values()].map(({ labels, cell }) => ({ labels, value: cell.value }));
  }
}

export class CellCounter<L extends string> extends Counter<L> {
  private readonly series: Series<L, ValueCell>;

  constructor(config: FamilyConfig<L>) {
    super(config);
    this.series = new Series(config.labelNames, () => new ValueCell());
  }

  cell(labels: LabelSet<L>): ValueCell {
    return this.series.cell(labels);
  }

  override async get() {
    return { ...(await super.get()), values: this.series.values() };
  }
}

export class CellHistogram<L extends string> extends Histogram<L> {
  private readonly series: Series<L, HistogramCell>;
  private readonly bounds: readonly number[];

  constructor(private readonly config: FamilyConfig<L> & { buckets: number[] }) {
    super(config);
    const bounds = (this.bounds = [...config.buckets].sort((a, b) => a - b));
    this.series = new Series(config.labelNames, () => new HistogramCell(bounds));
  }

  cell(labels: LabelSet<L>): HistogramCell {
    return this.series.cell(labels);
  }

  /**
   * What prom-client's Registry reads for the exposition text (its Histogram's own `get()` calls it too): the same
   * shape as prom-client's, `le` in `labels` and the series' labels shared by its lines.
   */
  getForPromString() {
    const { name, help } = this.config;
    const values = [];
    for (const { labels, cell } of this.series.entries.values()) {
      let cumulative = 0;
      const { bounds } = this;
      for (let i = 0; i < bounds.length; i++) {
        cumulative += cell.counts[i]!;
        values.push(line(`${name}_bucket`, { le: bounds[i]! }, cumulative, labels, null));
      }
      values.push(line(`${name}_bucket`, { le: '+Inf' }, cell.count, labels, null));
      values.push(line(`${name}_sum`, {}, cell.sum, labels, undefined));
      values.push(line(`${name}_count`, {}, cell.count, labels, undefined));
    }
    return Promise.resolve({ name, help, type: 'histogram', values, aggregator: 'sum' });
  }
}

/** One line as prom-client's Histogram makes it: its buckets carry a null exemplar, its sum and count none. */
const line = (
  metricName: string,
  labels: Record<string, string | number>,
  value: number,
  sharedLabels: object,
  exemplar: null | undefined,
) => ({ metricName, labels, value, sharedLabels, exemplar });
