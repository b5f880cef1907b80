// Reads PromQL with Prometheus's own grammar (lezer-promql) and checks the metrics and labels it names against the
// series an operator exports, for the dashboard and alert tests.
import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** Every node named `name` below `node`. */
function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name === name) found.push(child);
    found.push(...descendants(child, name));
  }
  return found;
}

/** A metric the expression selects, with the labels its matchers name. */
export interface SelectorUse {
  metric: string;
  labels: string[];
}

/** Labels an aggregation (`by`, `without`) or a vector match (`on`, `ignoring`, `group_left`) names, and the metrics
 * they apply to: each must carry them. */
export interface GroupingUse {
  labels: string[];
  metrics: string[];
}

export interface PromqlUses {
  selectors: SelectorUse[];
  groupings: GroupingUse[];
  /** Syntax errors, as `at <offset>: <text around it>`. */
  errors: string[];
}

/** Grafana's variables, replaced by what they stand for so the grammar accepts the expression. */
const GRAFANA_VARIABLES: Record<string, string> = { $__rate_interval: '5m', $__interval: '1m', $__range: '1h' };

export function promqlUses(expr: string): PromqlUses {
  let source = expr;
  for (const [variable, value] of Object.entries(GRAFANA_VARIABLES)) source = source.replaceAll(variable, value);
  const uses: PromqlUses = { selectors: [], groupings: [], errors: [] };
  const text = (node: SyntaxNode) => source.slice(node.from, node.to);
  const selectorsUnder = (node: SyntaxNode) =>
    descendants(node, 'VectorSelector').flatMap((selector) => {
      const name = selector.getChild('Identifier');
      return name ? [text(name)] : [];
    });
  const labelsOf = (grouping: SyntaxNode | null) => (grouping ? grouping.getChildren('LabelName').map(text) : []);
  parser.parse(source).iterate({
    enter: (ref) => {
      const node = ref.node;
      if (ref.type.isError) {
        uses.errors.push(`at ${ref.from}: ${JSON.stringify(source.slice(Math.max(0, ref.from - 20), ref.from + 20))}`);
        return;
      }
      if (ref.name === 'VectorSelector') {
        const name = node.getChild('Identifier');
        if (!name) {
          uses.errors.push(`at ${ref.from}: a selector without a metric name (${text(node)})`);
          return;
        }
        const matchers = node.getChild('LabelMatchers');
        const labels = matchers
          ? [...matchers.getChildren('UnquotedLabelMatcher'), ...matchers.getChildren('QuotedLabelMatcher')].map((m) =>
              text(m.getChild('LabelName') ?? m),
            )
          : [];
        uses.selectors.push({ metric: text(name), labels });
      }
      if (ref.name === 'AggregateExpr') {
        const labels = labelsOf(node.getChild('AggregateModifier')?.getChild('GroupingLabels') ?? null);
        const body = node.getChild('FunctionCallBody');
        if (labels.length && body) uses.groupings.push({ labels, metrics: selectorsUnder(body) });
      }
      if (ref.name === 'BinaryExpr') {
        const clause = node.getChild('MatchingModifierClause');
        const labels = clause ? clause.getChildren('GroupingLabels').flatMap((g) => labelsOf(g)) : [];
        if (labels.length) uses.groupings.push({ labels, metrics: selectorsUnder(node) });
      }
    },
  });
  return uses;
}

/** Series name -> its label names, from the exposition text of /metrics (histograms as `_bucket`, `_sum`, `_count`). */
export function exportedSeries(exposition: string): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const line of exposition.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels = series.get(match[1]!) ?? new Set<string>();
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(label[1]!);
    series.set(match[1]!, labels);
  }
  return series;
}

export interface Known {
  /** What /metrics exports. */
  series: Map<string, Set<string>>;
  /** Series Prometheus writes itself (`up`), with no labels of their own. */
  scrapeSeries: readonly string[];
  /** Labels Prometheus adds to every series of a target (`job`, `pod`, ...). */
  targetLabels: readonly string[];
}

/** What `expr` names that the operator does not export, one line each; empty when all is known. */
export function unknownNames(expr: string, known: Known): string[] {
  const uses = promqlUses(expr);
  const problems = uses.errors.map((error) => `does not parse ${error}`);
  const labelsOf = (metric: string) =>
    known.scrapeSeries.includes(metric) ? new Set<string>() : known.series.get(metric);
  const hasLabel = (metric: string, label: string) =>
    known.targetLabels.includes(label) || labelsOf(metric)?.has(label) === true;
  for (const { metric, labels } of uses.selectors) {
    if (!labelsOf(metric)) {
      problems.push(`unknown metric ${metric}`);
      continue;
    }
    for (const label of labels) if (!hasLabel(metric, label)) problems.push(`${metric} has no label ${label}`);
  }
  for (const { labels, metrics } of uses.groupings)
    for (const metric of metrics.filter((m) => labelsOf(m)))
      for (const label of labels)
        if (!hasLabel(metric, label)) problems.push(`groups by ${label}, which ${metric} does not have`);
  return problems;
}

/** Grafana's `label_values(<selector>, <label>)` of a template variable, checked like a query. */
export function unknownInLabelValues(query: string, known: Known): string[] {
  const match = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query);
  if (!match) return [`not label_values(<selector>, <label>): ${query}`];
  const problems = unknownNames(match[1]!, known);
  for (const { metric } of promqlUses(match[1]!).selectors)
    if (!known.targetLabels.includes(match[2]!) && known.series.get(metric)?.has(match[2]!) === false)
      problems.push(`${metric} has no label ${match[2]}`);
  return problems;
}
