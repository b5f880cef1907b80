// Why a status could not be written: the handler itself succeeded, so these are told apart from its failures.
import { KubeopError } from '../../errors.js';
import { isTransient, type KubeApiError } from '../../kube/errors.js';
import type { StatusWriteFailureClass } from '../metrics/metrics.js';

/** A status write failed after the handler itself succeeded. */
export class StatusWriteError extends KubeopError {
  override readonly name: string = 'StatusWriteError';
  readonly code: string = 'STATUS_WRITE_FAILED';
  constructor(
    message: string,
    options?: { cause?: unknown },
    /** The status merge patch not written (the failed write and those after it), to send again later. */
    readonly unsent?: unknown,
  ) {
    super(message, options);
  }
}

/** The API server rejected the status as invalid (422): retrying the same status cannot help. */
export class InvalidStatusError extends StatusWriteError {
  override readonly name = 'InvalidStatusError';
  override readonly code = 'STATUS_INVALID';
  /** The fields the server named, e.g. `status.replicas`. */
  readonly fields: string[];
  constructor(
    readonly objectKey: string,
    readonly apiError: KubeApiError,
  ) {
    const fields = (apiError.details?.causes ?? []).map((c) => c.field).filter((f): f is string => !!f);
    super(
      `the status written for ${objectKey} is invalid${fields.length ? ` (${fields.join(', ')})` : ''}: ${apiError.serverMessage ?? apiError.message}; ` +
        'fix the handler or the CRD schema; the handler runs again when the object changes',
      { cause: apiError },
    );
    this.fields = fields;
  }
}

/** The CRD has no status subresource, so no status write can ever succeed. */
export class StatusSubresourceMissingError extends StatusWriteError {
  override readonly name = 'StatusSubresourceMissingError';
  override readonly code = 'STATUS_SUBRESOURCE_MISSING';
  constructor(readonly resource: string) {
    super(
      `the CustomResourceDefinition ${resource} has no status subresource, so this.status cannot be written; ` +
        `add "subresources: { status: {} }" to its served version (or let --create-crd create it)`,
    );
  }
}

/** The object was deleted while its handler ran; there is nothing left to write the status on. */
export class ObjectGoneError extends StatusWriteError {
  override readonly name = 'ObjectGoneError';
  override readonly code = 'OBJECT_GONE';
  constructor(readonly objectKey: string) {
    super(`${objectKey} was deleted while its handler ran; its status was not written`);
  }
}

/** etcd's default --max-request-bytes: the largest object it stores. */
export const ETCD_REQUEST_LIMIT_BYTES = 1_572_864;

/** The status (with the object) is larger than the API server or etcd accept: the same write can never succeed. */
export class StatusTooLargeError extends StatusWriteError {
  override readonly name = 'StatusTooLargeError';
  constructor(
    readonly objectKey: string,
    /** Bytes of the status patch sent (JSON). */
    readonly bytes: number,
    /** The limit the server named, else etcd's default. */
    readonly limitBytes: number,
    readonly apiError: KubeApiError,
  ) {
    super(
      `the status written for ${objectKey} is too large to store: ${bytes} bytes of status, and the whole object must ` +
        `stay under ${limitBytes} bytes (${apiError.serverMessage ?? apiError.message}); keep large data out of the ` +
        'status (in a ConfigMap, a Secret or outside the cluster); the handler runs again when the object changes',
      { cause: apiError },
    );
  }
}

/** Whether the server refused a write for its size: 413, etcd's "request is too large" (a 500), or a 422 about size. */
export function isTooLarge(error: KubeApiError): boolean {
  const said = `${error.serverMessage ?? ''} ${error.reason ?? ''}`;
  if (error.status === 413) return true;
  if (error.status >= 500) return /request is too large|too large/i.test(said);
  if (error.status === 422) return /too long|too large|must have at most \d+ bytes/i.test(said);
  return false;
}

/** The limit a size refusal names, in bytes, if it names one. */
export function limitNamed(error: KubeApiError): number | undefined {
  const match = /(?:limit is|at most) (\d+)/i.exec(error.serverMessage ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The class of a status write failure, from what the status writer (or the handler runner) threw. */
export function statusFailureClass(error: unknown): StatusWriteFailureClass {
  if (error instanceof InvalidStatusError) return 'invalid';
  if (error instanceof StatusTooLargeError) return 'too_large';
  if (error instanceof StatusSubresourceMissingError) return 'subresource_missing';
  if (error instanceof ObjectGoneError) return 'gone';
  // The runner wraps other failures in a plain StatusWriteError; the cause tells whether they were transient.
  const cause = error instanceof StatusWriteError && error.cause !== undefined ? error.cause : error;
  return isTransient(cause) ? 'transient' : 'other';
}
