// Adds and removes the operator's finalizer with optimistic concurrency (resourceVersion preconditions).
import { type KubeClient, MERGE_PATCH } from '../kube/client.js';
import { KubeApiError } from '../kube/errors.js';
import type { AnyObject } from '../kube/objects.js';

const MAX_CONFLICTS = 5;

export async function addFinalizer(client: KubeClient, path: string, cached: AnyObject, finalizer: string): Promise<void> {
  await updateFinalizers(client, path, cached, (list) => (list.includes(finalizer) ? undefined : [...list, finalizer]));
}

export async function removeFinalizer(client: KubeClient, path: string, cached: AnyObject, finalizer: string): Promise<void> {
  await updateFinalizers(client, path, cached, (list) => (list.includes(finalizer) ? list.filter((f) => f !== finalizer) : undefined));
}

/** `change` returns the new list, or undefined when nothing is to be done. */
async function updateFinalizers(
  client: KubeClient,
  path: string,
  cached: AnyObject,
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
      if (error.isNotFound) return;
      if (!error.isConflict || attempt >= MAX_CONFLICTS) throw error;
      try {
        object = await client.request<AnyObject>('GET', path);
      } catch (readError) {
        if (readError instanceof KubeApiError && readError.isNotFound) return;
        throw readError;
      }
    }
  }
}
