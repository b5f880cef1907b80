// One way to put anything thrown into a log line or a message: its message, its cause's code, its first line.

import { renderValue } from './render-value.js';

export interface DescribeOptions {
  /** Append the cause's code (or message) in parentheses: `connect failed (ECONNREFUSED)`. Defaults to false. */
  withCause?: boolean;
  /** Only the first line (an exec plugin's stderr can run to pages). Defaults to false. */
  firstLine?: boolean;
}

/** The message of an error, a thrown string as it is, anything else as bounded JSON; never empty. */
export function describeError(error: unknown, options: DescribeOptions = {}): string {
  // Duck-typed: errors of another realm (a vm context) are no `instanceof Error` here.
  const message = hasMessage(error) ? error.message : typeof error === 'string' ? error : renderValue(error);
  let text = options.firstLine ? (message.trim().split('\n')[0] ?? '') : message;
  if (options.withCause && hasMessage(error)) {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const said = typeof cause?.code === 'string' && cause.code ? cause.code : cause?.message;
    if (typeof said === 'string' && said) text = `${text} (${said})`;
  }
  return text || 'no message';
}

function hasMessage(error: unknown): error is { message: string } {
  return typeof (error as { message?: unknown })?.message === 'string';
}
