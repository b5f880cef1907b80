// The RFC 6902 JSON patch from one JSON document to another: what a mutating webhook answers with.

export type PatchOperation = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/**
 * Operations turning `before` into `after`. Objects are compared key by key; an array of the same length element
 * by element, else replaced whole (simpler for a reader of the patch than index shuffles). Both must be JSON.
 */
export function jsonPatch(before: unknown, after: unknown, path = ''): PatchOperation[] {
  if (isObject(before) && isObject(after)) {
    const operations: PatchOperation[] = [];
    for (const key of Object.keys(before)) {
      if (!(key in after)) operations.push({ op: 'remove', path: `${path}/${escape(key)}` });
    }
    for (const [key, value] of Object.entries(after)) {
      const at = `${path}/${escape(key)}`;
      if (!(key in before)) operations.push({ op: 'add', path: at, value });
      else operations.push(...jsonPatch(before[key], value, at));
    }
    return operations;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => jsonPatch(item, after[index], `${path}/${index}`));
  }
  // What is left: primitives, or values of different shapes (object against array, arrays of other lengths).
  return before === after ? [] : [{ op: 'replace', path, value: after }];
}

/** The JSON form of a value a method returned: drops `undefined` fields and class prototypes. */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901: `~` and `/` in a key are escaped as `~0` and `~1`. */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
