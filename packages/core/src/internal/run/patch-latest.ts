// A merge patch made from the object's latest state, with its resourceVersion as precondition: when someone wrote
// it meanwhile (409), the object is read again and the patch made anew, so what they wrote is not lost.
import { type KubeClient, MERGE_PATCH } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';

const MAX_CONFLICTS = 5;

/** A patch body; `metadata.resourceVersion` is added. */
export type Patch = { metadata?: Record<string, unknown> } & Record<string, unknown>;

/** `unchanged`: the object needed no patch; `gone`: it no longer exists; else the server's answer to the patch. */
export type PatchResult<T> = 'unchanged' | 'gone' | { written: T };

/**
 * Patches `path` (its `subresource`, if given) with what `patchFor` makes of the object, starting from `cached`.
 * Throws any other failure, and the fifth conflict in a row.
 */
export async function patchLatest<T = KubeObject>(
  client: KubeClient,
  path: string,
  cached: KubeObject,
  patchFor: (object: KubeObject) => Patch | undefined,
  subresource?: 'status',
): Promise<PatchResult<T | undefined>> {
  let object = cached;
  for (let attempt = 1; ; attempt++) {
    const patch = patchFor(object);
    if (!patch) return 'unchanged';
    try {
      const written = await client.request<T | undefined>('PATCH', subresource ? `${path}/${subresource}` : path, {
        body: { ...patch, metadata: { ...patch.metadata, resourceVersion: object.metadata.resourceVersion } },
        contentType: MERGE_PATCH,
      });
      return { written };
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.isObjectNotFound) return 'gone';
      if (!error.isConflict || attempt >= MAX_CONFLICTS) throw error;
      const fresh = await readObject(client, path);
      if (!fresh) return 'gone';
      object = fresh;
    }
  }
}

/** The object at `path`, or undefined when it is gone. */
export async function readObject(client: KubeClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await client.request<KubeObject>('GET', path);
  } catch (error) {
    if (error instanceof KubeApiError && error.isObjectNotFound) return undefined;
    throw error;
  }
}
