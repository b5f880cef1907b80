// Round-trip preservation: what a version cannot hold is kept in an annotation of the converted object and put back.
import { createHash } from 'node:crypto';
import { differingPaths, getAt, type JsonPath, setAt } from './json-paths.js';

/** The annotation on an object of another version that holds the storage version's fields that version lacks. */
export const CONVERSION_DATA_ANNOTATION = 'kubeop.dev/conversion-data';

/** One field a round trip through a version loses: the storage version's value and a hash of what the round trip gave. */
interface StashedField {
  path: JsonPath;
  /** Absent when the storage object has no such field (the round trip added one). */
  value?: unknown;
  /** Hash of the value the round trip gives: restore only while converting back still gives it (the field was not edited). */
  was: string;
}

interface Stash {
  fields: StashedField[];
}

/** Top-level fields that are the object's identity and metadata, not data a version holds. */
const NOT_DATA = new Set(['apiVersion', 'kind', 'metadata']);

function data(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !NOT_DATA.has(key)));
}

/** JSON with sorted keys, so that equal values hash alike whatever order a converter wrote their keys in. */
function canonical(value: unknown): string {
  if (value === undefined) return 'absent';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function hash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('base64url').slice(0, 16);
}

/**
 * The stash for a storage object whose round trip through another version gave `roundTrip`: every field where they
 * differ, with the storage object's value. Undefined when the round trip loses nothing.
 */
export function stashFor(storage: Record<string, unknown>, roundTrip: Record<string, unknown>): string | undefined {
  const before = data(storage);
  const after = data(roundTrip);
  const fields = differingPaths(before, after).map((path): StashedField => {
    const value = getAt(before, path);
    return { path, ...(value === undefined ? {} : { value }), was: hash(getAt(after, path)) };
  });
  return fields.length ? JSON.stringify({ fields } satisfies Stash) : undefined;
}

/**
 * Puts the stashed fields back into `converted` (an object just converted to the storage version), in place. A field
 * whose converted value is no longer what the round trip gave was changed through the other version: that write wins.
 * A stash that cannot be read restores nothing (an annotation a user edited by hand).
 */
export function restoreStash(converted: Record<string, unknown>, stash: string | undefined): void {
  if (stash === undefined) return;
  let parsed: Stash;
  try {
    parsed = JSON.parse(stash) as Stash;
  } catch {
    return;
  }
  if (!Array.isArray(parsed?.fields)) return;
  for (const field of parsed.fields) {
    if (!Array.isArray(field.path) || field.path.length === 0 || NOT_DATA.has(field.path[0]!)) continue;
    if (hash(getAt(converted, field.path)) !== field.was) continue;
    setAt(converted, field.path, field.value);
  }
}
