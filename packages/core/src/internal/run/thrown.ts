// What a handler threw, whatever its type: non-Error values are kept (as `cause`) inside an Error that shows them.

/** Longest rendering of a thrown value in messages. */
const MAX_SHOWN = 300;

/** A handler threw (or rejected with) something that is not an Error; `cause` holds it unchanged. */
export class ThrownValueError extends Error {
  override readonly name = 'ThrownValueError';
  constructor(readonly value: unknown) {
    super(`threw a non-Error value: ${renderValue(value)}`, { cause: value });
  }
}

/** The thrown value as an Error: Errors as they are, anything else (`undefined` too) wrapped. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new ThrownValueError(thrown);
}

/** A thrown value for a log line or an Event: an Error's message, anything else as bounded JSON. */
export function describeThrown(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : `threw a non-Error value: ${renderValue(thrown)}`;
}

function renderValue(value: unknown): string {
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
