// Against the run's shared control plane: version, a CRD, and custom objects created, listed, watched, status-patched, deleted.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
  Watch,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { KUBERNETES_VERSION, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { eventually } from '../src/eventually.js';

const group = 'testing.kubeop.dev';
const version = 'v1';
const plural = 'widgets';

const crd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural, singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: version,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

interface Widget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number; resourceVersion?: string };
  spec?: { size?: number };
  status?: { phase?: string };
}

let env: TestEnvironment;
beforeAll(async () => {
  env = await testEnvironment();
});

test('the namespace is new and named after the test file', () => {
  expect(env.namespace).toMatch(/^control-plane-[a-z0-9]{6}$/);
});

test(`/version reports ${KUBERNETES_VERSION}`, async () => {
  const info = await env.kubeConfig.makeApiClient(VersionApi).getCode();
  expect(info.gitVersion).toBe(KUBERNETES_VERSION);
});

describe('custom resources', () => {
  let objects: CustomObjectsApi;
  const events: { type: string; name: string; phase: string | undefined }[] = [];
  let watchDone: unknown = 'still running';
  let watch: AbortController | undefined;

  beforeAll(async () => {
    const extensions = env.kubeConfig.makeApiClient(ApiextensionsV1Api);
    try {
      await extensions.createCustomResourceDefinition({ body: crd });
    } catch (error) {
      // A cluster reused through KUBEOP_TEST_KUBECONFIG may have it from an earlier run.
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
    await eventually(async () => {
      const current = await extensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
      return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    }, 'the CRD to be Established');
    objects = env.kubeConfig.makeApiClient(CustomObjectsApi);
    // Right after Established the new resource can be missing from the handler chain for a moment (404).
    await eventually(
      () => objects.listNamespacedCustomObject({ group, version, namespace: env.namespace, plural }),
      'the widgets endpoint to serve',
    );
    watch = await new Watch(env.kubeConfig).watch(
      `/apis/${group}/${version}/namespaces/${env.namespace}/${plural}`,
      {},
      (type, object: Widget) => events.push({ type, name: object.metadata.name, phase: object.status?.phase }),
      (error) => (watchDone = error),
    );
  });

  afterAll(() => {
    watch?.abort();
  });

  const widget = (name: string, size: number): Widget => ({
    apiVersion: `${group}/${version}`,
    kind: 'Widget',
    metadata: { name },
    spec: { size },
  });
  const ref = (name: string) => ({ group, version, namespace: env.namespace, plural, name });

  test('create and list', async () => {
    const created = (await objects.createNamespacedCustomObject({
      group,
      version,
      namespace: env.namespace,
      plural,
      body: widget('first', 1),
    })) as Widget;
    expect(created.metadata.generation).toBe(1);
    await objects.createNamespacedCustomObject({
      group,
      version,
      namespace: env.namespace,
      plural,
      body: widget('second', 2),
    });

    const list = (await objects.listNamespacedCustomObject({ group, version, namespace: env.namespace, plural })) as {
      items: Widget[];
    };
    expect(list.items.map((item) => [item.metadata.name, item.spec?.size]).sort()).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
  });

  test('merge-patch the status subresource', async () => {
    const patched = (await objects.patchNamespacedCustomObjectStatus(
      { ...ref('first'), body: { status: { phase: 'Ready' }, spec: { size: 99 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Widget;
    expect(patched.status?.phase).toBe('Ready');
    // The status endpoint ignores spec changes, and status changes do not bump the generation.
    expect(patched.spec?.size).toBe(1);
    expect(patched.metadata.generation).toBe(1);
  });

  test('delete', async () => {
    await objects.deleteNamespacedCustomObject(ref('first'));
    const error = await objects.getNamespacedCustomObject(ref('first')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(404);
  });

  test('the watch saw ADDED, MODIFIED and DELETED', async () => {
    await eventually(() => events.some((e) => e.type === 'DELETED' && e.name === 'first'), 'DELETED of first');
    expect(events.filter((e) => e.name === 'first')).toEqual([
      { type: 'ADDED', name: 'first', phase: undefined },
      { type: 'MODIFIED', name: 'first', phase: 'Ready' },
      { type: 'DELETED', name: 'first', phase: 'Ready' },
    ]);
    expect(events.filter((e) => e.name === 'second').map((e) => e.type)).toEqual(['ADDED']);
    expect(watchDone).toBe('still running');
  });
});
