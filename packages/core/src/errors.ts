// Errors a handler throws to steer retries.

/** Retry after `delaySeconds` instead of the exponential backoff. */
export class TemporaryError extends Error {
  override readonly name = 'TemporaryError';
  constructor(
    message: string,
    readonly delaySeconds = 5,
  ) {
    super(message);
  }
}

/** Do not retry: the failure is logged and recorded as a Warning event on the object. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}
