// The first difference between two JSON values, as a path and both sides: what a warning about an outdated CRD shows.

/** undefined when equal; otherwise `<path>: <actual> (in <actualName>), <wanted> wanted`. Keys absent and undefined are alike. */
export function firstDifference(actual: unknown, wanted: unknown, path = ''): string | undefined {
  if (Object.is(actual, wanted)) return undefined;
  const show = (value: unknown) => (value === undefined ? 'absent' : JSON.stringify(value).slice(0, 120));
  const here = `${path || '(root)'}: ${show(actual)}, ${show(wanted)} wanted`;
  if (typeof actual !== 'object' || typeof wanted !== 'object' || actual === null || wanted === null) return here;
  if (Array.isArray(actual) !== Array.isArray(wanted)) return here;
  if (Array.isArray(actual) && Array.isArray(wanted)) {
    for (let i = 0; i < Math.max(actual.length, wanted.length); i++) {
      const difference = firstDifference(actual[i], wanted[i], `${path}[${i}]`);
      if (difference) return difference;
    }
    return undefined;
  }
  const a = actual as Record<string, unknown>;
  const w = wanted as Record<string, unknown>;
  for (const key of new Set([...Object.keys(w), ...Object.keys(a)])) {
    const difference = firstDifference(a[key], w[key], `${path}.${key}`);
    if (difference) return difference;
  }
  return undefined;
}
