// Errors of talking to the API server, carrying what a user needs to act on them.

/** The API server answered with an error status. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly verb: string,
    readonly path: string,
    readonly reason: string | undefined,
    readonly serverMessage: string | undefined,
  ) {
    super(`${verb} ${path}: ${status}${reason ? ` ${reason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`);
  }

  get isForbidden(): boolean {
    return this.status === 403;
  }
  get isGone(): boolean {
    return this.status === 410;
  }
  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isConflict(): boolean {
    return this.status === 409;
  }
}

/** The API server could not be reached, or the connection broke. */
export class KubeConnectionError extends Error {
  override readonly name = 'KubeConnectionError';
  constructor(
    readonly verb: string,
    readonly url: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${verb} ${url}: cannot reach the API server${code ? ` (${code})` : ''}`, options);
  }
}

/** Whether retrying the same request later may succeed: network failures, 429, 5xx, timeouts. */
export function isTransient(error: unknown): boolean {
  if (error instanceof KubeConnectionError) return true;
  if (error instanceof KubeApiError) return error.status === 429 || error.status >= 500;
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
