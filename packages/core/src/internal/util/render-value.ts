// Any value for a message, bounded: a log line must not run to pages, nor reporting a failure fail.

/** Longest rendering of a value in messages. */
const MAX_SHOWN = 300;

/** The value as JSON (strings quoted), cut at 300 characters; cycles and functions named rather than thrown on. */
export function renderValue(value: unknown): string {
  let shown: string;
  if (value === undefined) shown = 'undefined';
  else if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function' || typeof value === 'symbol') shown = String(value);
  else {
    try {
      shown = JSON.stringify(value) ?? String(value);
    } catch {
      // Cycles, BigInts inside: say what it is rather than fail while reporting a failure.
      shown = Object.prototype.toString.call(value);
    }
  }
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}… (${shown.length} characters)` : shown;
}
