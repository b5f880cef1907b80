// Paths into plain JSON objects: where two values differ, and reading, writing and deleting at a path.

export type JsonPath = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a).filter((key) => a[key] !== undefined);
  if (keys.length !== Object.keys(b).filter((key) => b[key] !== undefined).length) return false;
  return keys.every((key) => jsonEqual(a[key], b[key]));
}

/**
 * The paths where `a` and `b` differ, descending into objects present on both sides; an array or a scalar that
 * differs is one path (list items have no stable identity to follow). Keys absent and undefined are alike.
 */
export function differingPaths(a: unknown, b: unknown, path: JsonPath = []): JsonPath[] {
  if (isRecord(a) && isRecord(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((key) =>
      differingPaths(a[key], b[key], [...path, key]),
    );
  }
  return jsonEqual(a, b) ? [] : [path];
}

export function getAt(value: unknown, path: JsonPath): unknown {
  let here = value;
  for (const key of path) {
    if (!isRecord(here)) return undefined;
    here = here[key];
  }
  return here;
}

/** Sets `path` in `target` to `value` (creating objects on the way), or deletes it when `value` is undefined. */
export function setAt(target: Record<string, unknown>, path: JsonPath, value: unknown): void {
  let here = target;
  for (const key of path.slice(0, -1)) {
    if (!isRecord(here[key])) {
      if (value === undefined) return;
      here[key] = {};
    }
    here = here[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete here[last];
  else here[last] = value;
}
