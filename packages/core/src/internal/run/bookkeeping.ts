// kubeop's own notes on an object, as annotations: the generation last handled and a run owed across a restart.
import { type KubeClient, MERGE_PATCH } from '../../kube/client.js';
import type { KubeObject } from '../../kube/objects.js';
import { HANDLED_GENERATION_ANNOTATION, handledGeneration, OWED_RUN_ANNOTATION } from '../dispatch/dispatch.js';
import type { HandlerRef } from '../dispatch/handlers.js';

async function annotate(client: KubeClient, path: string, annotations: Record<string, string | null>): Promise<void> {
  await client.request('PATCH', path, { body: { metadata: { annotations } }, contentType: MERGE_PATCH });
}

/**
 * Lets a later start-up tell a spec change it missed (see intentFor). Only for a generation-filtered
 * @OnModified: an `everyChange` handler would be called again for this very write.
 */
export async function recordHandledGeneration(client: KubeClient, path: string, object: KubeObject): Promise<void> {
  const generation = object.metadata.generation;
  if (generation === undefined || handledGeneration(object) === generation) return;
  await annotate(client, path, { [HANDLED_GENERATION_ANNOTATION]: String(generation) });
}

/** Records (or, with undefined, clears) the run owed on `object`, unless the object already says so. */
export async function recordOwedRun(
  client: KubeClient,
  path: string,
  object: KubeObject,
  owed: HandlerRef | undefined,
): Promise<void> {
  if (object.metadata.annotations?.[OWED_RUN_ANNOTATION] === owed) return;
  await annotate(client, path, { [OWED_RUN_ANNOTATION]: owed ?? null });
}
