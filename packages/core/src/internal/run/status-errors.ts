// Why a status could not be written: the handler itself succeeded, so these are told apart from its failures.
import { KubeopError } from '../../errors.js';
import type { KubeApiError } from '../../kube/errors.js';

/** A status write failed after the handler itself succeeded. */
export class StatusWriteError extends KubeopError {
  override readonly name: string = 'StatusWriteError';
  readonly code: string = 'STATUS_WRITE_FAILED';
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
