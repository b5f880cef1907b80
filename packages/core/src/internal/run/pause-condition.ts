// Writes the Paused condition of an object paused or unpaused: the whole `status.conditions` list as a merge patch,
// with the object's resourceVersion as precondition, so that a condition someone else wrote meanwhile is not lost.
import { type KubeClient, MERGE_PATCH } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { pausedConditions, showsPaused } from '../dispatch/pause.js';

const MAX_CONFLICTS = 5;

/**
 * How a write of the Paused condition ended: `unchanged` when the status said so already; `pruned` when the server
 * dropped the condition (the CRD's status schema has no `conditions`); `no-status` when the resource has no status
 * subresource; `gone` when the object is.
 */
export type PausedConditionOutcome = 'written' | 'unchanged' | 'pruned' | 'no-status' | 'gone';

/** Makes the status of the object at `path` (last seen as `cached`) show whether it is `paused`. */
export async function showPausedCondition(
  client: KubeClient,
  path: string,
  cached: KubeObject,
  paused: boolean,
  now: () => Date = () => new Date(),
): Promise<PausedConditionOutcome> {
  let object = cached;
  for (let attempt = 1; ; attempt++) {
    const conditions = pausedConditions(object, paused, now());
    if (!conditions) return 'unchanged';
    try {
      const written = await client.request<KubeObject | undefined>('PATCH', `${path}/status`, {
        body: { metadata: { resourceVersion: object.metadata.resourceVersion }, status: { conditions } },
        contentType: MERGE_PATCH,
      });
      return paused && written && !showsPaused(written) ? 'pruned' : 'written';
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.isObjectNotFound) return 'gone';
      // A 404 naming no object: no status subresource if the object itself reads fine; else the resource is not
      // served right now (after an API server restart), which the caller treats as any transient failure.
      if (error.isPathNotFound) return (await read(client, path, error)) ? 'no-status' : 'gone';
      if (!error.isConflict || attempt >= MAX_CONFLICTS) throw error;
      const fresh = await read(client, path, error);
      if (!fresh) return 'gone';
      object = fresh;
    }
  }
}

/** The object, or undefined when it is gone; throws `failure` when the resource itself is not served. */
async function read(client: KubeClient, path: string, failure: KubeApiError): Promise<KubeObject | undefined> {
  try {
    return await client.request<KubeObject>('GET', path);
  } catch (error) {
    if (error instanceof KubeApiError && error.isObjectNotFound) return undefined;
    throw error instanceof KubeApiError && error.isPathNotFound ? failure : error;
  }
}
