// Adds and removes the operator's finalizer with optimistic concurrency (resourceVersion preconditions).
import { KubeopError } from '../../errors.js';
import type { KubeClient } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { describeError } from '../util/describe-error.js';
import { patchLatest } from './patch-latest.js';

/** Adding or removing the finalizer failed; names what was attempted, so a denial is not taken for a handler bug. */
export class FinalizerError extends KubeopError {
  override readonly name = 'FinalizerError';
  readonly code = 'FINALIZER_FAILED';
  constructor(
    readonly operation: 'add' | 'remove',
    readonly finalizer: string,
    resource: string,
    objectKey: string,
    cause: unknown,
  ) {
    const denied = cause instanceof KubeApiError && cause.isForbidden;
    super(
      `could not ${operation} the finalizer ${finalizer} ${operation === 'add' ? 'to' : 'from'} ${resource} ${objectKey}: ` +
        (denied
          ? `permission denied (${cause.serverMessage ?? cause.message}); grant the operator's account "patch" on ${resource}`
          : describeError(cause)),
      { cause },
    );
  }
}

interface Target {
  path: string;
  /** `plural.group`, for messages. */
  resource: string;
  objectKey: string;
}

export async function addFinalizer(
  client: KubeClient,
  target: Target,
  cached: KubeObject,
  finalizer: string,
): Promise<void> {
  await updateFinalizers(client, target.path, cached, (list) =>
    list.includes(finalizer) ? undefined : [...list, finalizer],
  ).catch((error: unknown) => {
    throw new FinalizerError('add', finalizer, target.resource, target.objectKey, error);
  });
}

export async function removeFinalizer(
  client: KubeClient,
  target: Target,
  cached: KubeObject,
  finalizer: string,
): Promise<void> {
  await updateFinalizers(client, target.path, cached, (list) =>
    list.includes(finalizer) ? list.filter((f) => f !== finalizer) : undefined,
  ).catch((error: unknown) => {
    throw new FinalizerError('remove', finalizer, target.resource, target.objectKey, error);
  });
}

/** `change` returns the new list, or undefined when nothing is to be done. */
async function updateFinalizers(
  client: KubeClient,
  path: string,
  cached: KubeObject,
  change: (finalizers: string[]) => string[] | undefined,
): Promise<void> {
  // A merge patch replaces the whole list; the precondition makes it fail (409) rather than drop a finalizer someone
  // else added meanwhile.
  await patchLatest(client, path, cached, (object) => {
    const finalizers = change(object.metadata.finalizers ?? []);
    return finalizers && { metadata: { finalizers } };
  });
}
