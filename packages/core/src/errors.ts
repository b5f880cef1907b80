// The base of every kubeop error, with a stable `code`, and the errors a handler throws to steer retries.

/**
 * Every error kubeop throws extends this class. `code` is stable across releases and tells the cases apart, so code
 * (and tests) can switch on it instead of reading messages; `name` is the class name, for logs.
 */
export abstract class KubeopError extends Error {
  abstract readonly code: string;
}

/** Retry after `delaySeconds` instead of the exponential backoff. */
export class TemporaryError extends KubeopError {
  override readonly name = 'TemporaryError';
  readonly code = 'TEMPORARY';
  constructor(
    message: string,
    readonly delaySeconds = 5,
  ) {
    super(message);
  }
}

/** Do not retry: the failure is logged and recorded as a Warning event on the object. */
export class PermanentError extends KubeopError {
  override readonly name = 'PermanentError';
  readonly code = 'PERMANENT';
}
