// Adds and removes the operator's finalizer with optimistic concurrency (resourceVersion preconditions).
import { KubeopError } from '../../errors.js';
import { type KubeClient, MERGE_PATCH } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { describeError } from '../util/describe-error.js';

const MAX_CONFLICTS = 5;

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
  let object = cached;
  for (let attempt = 1; ; attempt++) {
    const finalizers = change(object.metadata.finalizers ?? []);
    if (!finalizers) return;
    try {
      // A merge patch replaces the whole list; the resourceVersion makes it fail (409) rather than
      // drop a finalizer someone else added meanwhile.
      await client.request('PATCH', path, {
        body: { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } },
        contentType: MERGE_PATCH,
      });
      return;
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.isObjectNotFound) return;
      if (!error.isConflict || attempt >= MAX_CONFLICTS) throw error;
      try {
        object = await client.request<KubeObject>('GET', path);
      } catch (readError) {
        if (readError instanceof KubeApiError && readError.isObjectNotFound) return;
        throw readError;
      }
    }
  }
}
