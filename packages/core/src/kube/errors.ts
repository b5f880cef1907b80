// Errors of talking to the API server, carrying what a user needs to act on them.

/** `details` of a Kubernetes Status: which object, and for 422 which fields. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
}

/** The API server answered with an error status. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly verb: string,
    readonly path: string,
    readonly reason: string | undefined,
    readonly serverMessage: string | undefined,
    readonly details: StatusDetails | undefined = undefined,
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
  get isInvalid(): boolean {
    return this.status === 422;
  }
  /** A 404 naming an object: that object does not exist. */
  get isObjectNotFound(): boolean {
    return this.status === 404 && !!this.details?.name;
  }
  /**
   * A 404 naming no object: the path itself is unknown, e.g. a custom resource not served (yet: right
   * after an API server restart, until its CRD is loaded again) or a subresource the CRD lacks.
   */
  get isPathNotFound(): boolean {
    return this.status === 404 && !this.details?.name;
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

/**
 * Whether retrying the same request later may succeed: network failures, 429, 5xx, timeouts, and a
 * resource type not served (an API server that just restarted answers 404 until its CRDs are loaded).
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof KubeConnectionError) return true;
  if (error instanceof KubeApiError) return error.status === 429 || error.status >= 500 || error.isPathNotFound;
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
