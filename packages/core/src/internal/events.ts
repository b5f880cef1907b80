// Records Kubernetes Events on objects (what `kubectl describe` shows), best effort.
import type { KubeClient } from '../kube/client.js';
import type { AnyObject } from '../kube/objects.js';

export interface EventRecord {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export async function recordEvent(client: KubeClient, component: string, object: AnyObject, event: EventRecord): Promise<void> {
  const namespace = object.metadata.namespace ?? 'default';
  const now = new Date().toISOString();
  await client.request('POST', `/api/v1/namespaces/${namespace}/events`, {
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${object.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      type: event.type,
      reason: event.reason,
      message: event.message.slice(0, 1024),
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
  });
}
