// What a handler threw, whatever its type: non-Error values are kept (as `cause`) inside an Error that shows them.

import { renderValue } from '../util/render-value.js';

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
