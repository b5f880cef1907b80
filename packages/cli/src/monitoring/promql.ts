// Small PromQL builders, so the dashboard and the alerts spell a selector, a rate or a quantile one way.

/** Label matchers: a plain string is `=`; `{ re: '...' }` is `=~`, `{ not: '...' }` is `!=`, `{ notRe }` is `!~`. */
export type Matchers = Record<string, string | { re: string } | { not: string } | { notRe: string }>;

export function selector(metric: string, matchers: Matchers = {}): string {
  const parts = Object.entries(matchers).map(([label, value]) => {
    if (typeof value === 'string') return `${label}=${quote(value)}`;
    if ('re' in value) return `${label}=~${quote(value.re)}`;
    if ('not' in value) return `${label}!=${quote(value.not)}`;
    return `${label}!~${quote(value.notRe)}`;
  });
  return parts.length ? `${metric}{${parts.join(', ')}}` : metric;
}

/** `sum by (labels) (rate(metric{matchers}[range]))`. */
export function sumRate(metric: string, by: readonly string[], matchers: Matchers, range: string): string {
  return `sum by (${by.join(', ')}) (rate(${selector(metric, matchers)}[${range}]))`;
}

/** The `q` quantile of histogram `family` from its buckets, per `by`. */
export function quantile(q: number, family: string, by: readonly string[], matchers: Matchers, range: string): string {
  return `histogram_quantile(${q}, ${sumRate(`${family}_bucket`, ['le', ...by], matchers, range)})`;
}

/** A PromQL string literal (double-quoted, with `\` and `"` escaped). */
function quote(value: string): string {
  return JSON.stringify(value);
}
