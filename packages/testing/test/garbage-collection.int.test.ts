// With the run's kube-controller-manager: owned objects are garbage-collected (background and foreground), namespaces deleted.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ApiException, CoreV1Api, Watch, type V1ConfigMap, type V1OwnerReference } from '@kubernetes/client-node';
import { createTestNamespace, eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';

let env: TestEnvironment;
let core: CoreV1Api;
let watch: AbortController | undefined;
// Every watch event on the namespace's ConfigMaps, in order.
const events: { type: string; name: string; finalizers: string[]; deleting: boolean }[] = [];

beforeAll(async () => {
  env = await testEnvironment();
  core = env.kubeConfig.makeApiClient(CoreV1Api);
  watch = await new Watch(env.kubeConfig).watch(
    `/api/v1/namespaces/${env.namespace}/configmaps`,
    {},
    (type, object: V1ConfigMap) =>
      events.push({
        type,
        name: object.metadata!.name!,
        finalizers: object.metadata?.finalizers ?? [],
        deleting: object.metadata?.deletionTimestamp !== undefined,
      }),
    () => undefined,
  );
});
afterAll(() => {
  watch?.abort();
});

/** Creates `<name>` and `<name>-child`, whose controller owner reference points at it. */
async function ownerAndChild(name: string): Promise<void> {
  const owner = await core.createNamespacedConfigMap({ namespace: env.namespace, body: { metadata: { name } } });
  const reference: V1OwnerReference = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
  await core.createNamespacedConfigMap({
    namespace: env.namespace,
    body: { metadata: { name: `${name}-child`, ownerReferences: [reference] } },
  });
}

async function exists(name: string): Promise<boolean> {
  try {
    await core.readNamespacedConfigMap({ name, namespace: env.namespace });
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw error;
  }
}

const deletedOrder = (prefix: string): string[] =>
  events.filter((e) => e.type === 'DELETED' && e.name.startsWith(prefix)).map((e) => e.name);

describe('garbage collection', () => {
  test('deleting the owner (background, the default) deletes the child after it', async () => {
    await ownerAndChild('background');
    await core.deleteNamespacedConfigMap({ name: 'background', namespace: env.namespace });
    await eventually(
      async () => !(await exists('background-child')),
      'the garbage collector to delete the child',
      60_000,
    );
    await eventually(() => deletedOrder('background').length === 2, 'both DELETED events');
    expect(deletedOrder('background')).toEqual(['background', 'background-child']);
  });

  test('foreground deletion keeps the owner until the child is gone', async () => {
    await ownerAndChild('foreground');
    await core.deleteNamespacedConfigMap({
      name: 'foreground',
      namespace: env.namespace,
      propagationPolicy: 'Foreground',
    });
    await eventually(async () => !(await exists('foreground')), 'the owner to be deleted after its child', 60_000);
    await eventually(() => deletedOrder('foreground').length === 2, 'both DELETED events');
    expect(deletedOrder('foreground')).toEqual(['foreground-child', 'foreground']);
    // Meanwhile the owner waited, marked for deletion, on the finalizer the garbage collector removes.
    expect(events).toContainEqual({
      type: 'MODIFIED',
      name: 'foreground',
      finalizers: ['foregroundDeletion'],
      deleting: true,
    });
  });
});

describe('namespace deletion', () => {
  test('a deleted namespace is emptied and goes away', async () => {
    const name = await createTestNamespace(env.kubeConfig, 'namespace-deletion');
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'content' } } });
    await core.deleteNamespace({ name });
    await eventually(
      async () => {
        try {
          await core.readNamespace({ name });
          return false;
        } catch (error) {
          return error instanceof ApiException && error.code === 404;
        }
      },
      `namespace ${name} to be gone`,
      60_000,
    );
  });
});
