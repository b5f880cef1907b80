// Writes the Paused condition of an object paused or unpaused: the whole `status.conditions` list as a merge patch,
// with the object's resourceVersion as precondition, so that a condition someone else wrote meanwhile is not lost.
import type { KubeClient } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { pausedConditions, showsPaused } from '../dispatch/pause.js';
import { patchLatest, readObject } from './patch-latest.js';

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
  try {
    const result = await patchLatest(
      client,
      path,
      cached,
      (object) => {
        const conditions = pausedConditions(object, paused, now());
        return conditions && { status: { conditions } };
      },
      'status',
    );
    if (typeof result === 'string') return result;
    return paused && result.written && !showsPaused(result.written) ? 'pruned' : 'written';
  } catch (error) {
    // A 404 naming no object: no status subresource if the object itself reads fine; else the resource is not
    // served right now (after an API server restart), which the caller treats as any transient failure.
    if (!(error instanceof KubeApiError) || !error.isPathNotFound) throw error;
    let object;
    try {
      object = await readObject(client, path);
    } catch (readError) {
      throw readError instanceof KubeApiError && readError.isPathNotFound ? error : readError;
    }
    return object ? 'no-status' : 'gone';
  }
}
