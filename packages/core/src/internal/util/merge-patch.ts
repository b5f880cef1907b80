// RFC 7386 JSON merge patch, to know locally what a status merge patch leaves on the server.

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else result[name] = applyMergePatch(result[name], value);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Dotted paths of the fields `patch` set (to something other than null) that `written` lacks: what the
 * server pruned because its schema does not know them. Arrays are compared as wholes, as merge patches do.
 */
export function prunedPaths(patch: unknown, written: unknown, prefix = 'status'): string[] {
  if (!isPlainObject(patch)) return [];
  const kept = isPlainObject(written) ? written : {};
  return Object.entries(patch).flatMap(([name, value]) => {
    if (value === null) return [];
    const path = `${prefix}.${name}`;
    if (!(name in kept)) return [path];
    return isPlainObject(value) ? prunedPaths(value, kept[name], path) : [];
  });
}

/** One merge patch doing what `first` then `second` do: `second` wins field by field, and its nulls are kept. */
export function composeMergePatches(first: unknown, second: unknown): unknown {
  if (!isPlainObject(first) || !isPlainObject(second)) return second;
  const result: Record<string, unknown> = { ...first };
  for (const [name, value] of Object.entries(second)) result[name] = composeMergePatches(result[name], value);
  return result;
}
