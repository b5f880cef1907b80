// Reads the Events recorded on an object (kubeop records failures, timeouts and invalid statuses as Warning Events).
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { eventually } from '../eventually.js';

/** The Events on the object `name` in `namespace`, for assertions on reason, type, message and count. */
export async function eventsOn(kubeConfig: KubeConfig, namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await kubeConfig
    .makeApiClient(CoreV1Api)
    .listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

/** Waits for an Event of `reason` on the object and returns it. */
export function eventOn(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  reason: string,
  timeoutMs = 30_000,
): Promise<CoreV1Event> {
  return eventually(
    async () => (await eventsOn(kubeConfig, namespace, name)).find((e) => e.reason === reason),
    `a ${reason} Event on ${name}`,
    timeoutMs,
  );
}
