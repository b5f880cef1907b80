// ObjectClient on the real control plane: ConfigMaps (core group) and a Deployment (apps), discovery, pagination, idempotent apply.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as core from '@kubeop/core';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { KubeApiError } from '../src/kube/errors.js';
import { ObjectClient, UnknownKindError } from '../src/kube/object-client.js';
import type { KubeObject } from '../src/kube/objects.js';

let env: TestEnvironment;
let client: KubeClient;
let objects: ObjectClient;

beforeAll(async () => {
  env = await testEnvironment();
  client = new KubeClient(env.kubeConfig);
  objects = new ObjectClient(client, { fieldManager: 'object-client-test' });
});
afterAll(() => client?.close());

const configMap = (name: string, data: Record<string, string>, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: env.namespace, ...(labels ? { labels } : {}) },
  data,
});

it('is public', () => {
  expect(core.ObjectClient).toBe(ObjectClient);
  expect(core.UnknownKindError).toBe(UnknownKindError);
});

describe('discovery', () => {
  it('resolves plural and scope of core, apps and cluster-scoped kinds, skipping subresources', async () => {
    expect(await objects.resourceFor('v1', 'ConfigMap')).toEqual({ plural: 'configmaps', namespaced: true });
    expect(await objects.resourceFor('apps/v1', 'Deployment')).toEqual({ plural: 'deployments', namespaced: true });
    expect(await objects.resourceFor('v1', 'Namespace')).toEqual({ plural: 'namespaces', namespaced: false });
    // apps/v1 lists deployments/scale, whose kind is Scale: a subresource, not a kind of its own.
    await expect(objects.resourceFor('apps/v1', 'Scale')).rejects.toThrow(UnknownKindError);
  });

  it('names apiVersion and kind of a kind the server does not serve, in a known group and in an unknown one', async () => {
    await expect(objects.resourceFor('apps/v1', 'Gadget')).rejects.toThrow(
      'does not serve kind Gadget in apiVersion apps/v1',
    );
    const unknownGroup = objects.get({
      apiVersion: 'nothing.example.com/v1',
      kind: 'Gadget',
      name: 'g',
      namespace: env.namespace,
    });
    await expect(unknownGroup).rejects.toThrow(UnknownKindError);
    await expect(unknownGroup).rejects.toThrow(
      'The API server does not serve kind Gadget in apiVersion nothing.example.com/v1 (kubectl api-resources lists what it serves)',
    );
  });

  it('finds a kind whose CRD was installed after its group-version was read', async () => {
    const group = `late-${env.namespace}.kubeop.dev`;
    await expect(objects.resourceFor(`${group}/v1`, 'Late')).rejects.toThrow(UnknownKindError);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `lates.${group}` },
      spec: {
        group,
        scope: 'Cluster',
        names: { plural: 'lates', singular: 'late', kind: 'Late' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    await objects.create(crd);
    try {
      expect(
        await eventually(
          () => objects.resourceFor(`${group}/v1`, 'Late').catch(() => undefined),
          'the new kind discovered',
        ),
      ).toEqual({
        plural: 'lates',
        namespaced: false,
      });
    } finally {
      await objects.delete({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: crd.metadata.name,
      });
    }
  });
});

describe('ConfigMaps', () => {
  it('reads them typed, as client-node models or plain interfaces, with no cast', async () => {
    await objects.create(configMap('typed', { key: 'value' }, { typed: 'yes' }));
    // client-node's models have every field optional; an interface has no index signature: both type-check as T.
    interface Settings {
      metadata: { name: string };
      data: { key: string };
    }
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'typed', namespace: env.namespace };
    const model: V1ConfigMap | undefined = await objects.get<V1ConfigMap>(ref);
    const own: Settings | undefined = await objects.get<Settings>(ref);
    const listed: V1ConfigMap[] = await objects.list<V1ConfigMap>('v1', 'ConfigMap', {
      namespace: env.namespace,
      labelSelector: 'typed=yes',
    });
    expect(model?.data?.key).toBe('value');
    expect(own?.data.key).toBe('value');
    expect(listed.map((item) => [item.kind, item.data?.key])).toEqual([['ConfigMap', 'value']]);
  });

  it('creates, gets, patches, applies and deletes one', async () => {
    const created = await objects.create(configMap('one', { a: '1' }));
    expect(created.metadata.uid).toBeTruthy();
    const got = await objects.get<KubeObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'one',
      namespace: env.namespace,
    });
    expect(got?.data).toEqual({ a: '1' });

    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'one', namespace: env.namespace };
    const merged = await objects.patch<KubeObject & { data: Record<string, string> }>(ref, { data: { b: '2' } });
    expect(merged.data).toEqual({ a: '1', b: '2' });
    const jsonPatched = await objects.patch<KubeObject & { data: Record<string, string> }>(
      ref,
      [{ op: 'remove', path: '/data/a' }],
      'json',
    );
    expect(jsonPatched.data).toEqual({ b: '2' });
    const strategic = await objects.patch<KubeObject & { data: Record<string, string> }>(
      ref,
      { metadata: { labels: { s: 'yes' } } },
      'strategic',
    );
    expect(strategic.metadata.labels).toEqual({ s: 'yes' });

    // A create of an existing object is the server's 409, named by verb and path.
    const conflict = await objects.create(configMap('one', {})).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(KubeApiError);
    expect((conflict as KubeApiError).status).toBe(409);
    expect((conflict as KubeApiError).message).toContain(
      `POST /api/v1/namespaces/${env.namespace}/configmaps: 409 AlreadyExists`,
    );

    expect(await objects.delete(ref)).toBe(true);
    expect(await objects.get(ref)).toBeUndefined();
    expect(await objects.delete(ref, { propagationPolicy: 'Background' })).toBe(false);
  });

  it('applies idempotently: the same content again leaves resourceVersion as it was', async () => {
    const first = await objects.apply(configMap('applied', { a: '1' }));
    const again = await objects.apply(configMap('applied', { a: '1' }));
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const changed = await objects.apply<KubeObject & { data: Record<string, string> }>(
      configMap('applied', { a: '2' }),
    );
    expect(changed.data).toEqual({ a: '2' });
    expect(changed.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
    // The field manager given here and the client's own both own fields; force (the default) takes them over.
    const other = await objects.apply<KubeObject & { data: Record<string, string> }>(configMap('applied', { a: '3' }), {
      fieldManager: 'someone-else',
    });
    expect(other.data).toEqual({ a: '3' });
    const managers = (other.metadata.managedFields as Array<{ manager: string }>).map((entry) => entry.manager);
    expect(managers).toContain('someone-else');
    await expect(objects.apply(configMap('applied', { a: '4' }), { force: false })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('lists by label selector, following continue across pages', async () => {
    for (let i = 0; i < 7; i++) await objects.create(configMap(`listed-${i}`, { i: String(i) }, { set: 'listed' }));
    await objects.create(configMap('unlabelled', {}));
    const all = await objects.list('v1', 'ConfigMap', {
      namespace: env.namespace,
      labelSelector: 'set=listed',
      limit: 2,
    });
    expect(all.map((item) => item.metadata.name).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `listed-${i}`));
    // Items of a list carry no kind of their own; the client fills it in.
    expect(all.every((item) => item.apiVersion === 'v1' && item.kind === 'ConfigMap')).toBe(true);
    const byField = await objects.list('v1', 'ConfigMap', {
      namespace: env.namespace,
      fieldSelector: 'metadata.name=unlabelled',
    });
    expect(byField.map((item) => item.metadata.name)).toEqual(['unlabelled']);
    const everywhere = await objects.list('v1', 'ConfigMap', { labelSelector: 'set=listed' });
    expect(everywhere).toHaveLength(7);
  });

  it('asks for the namespace of a namespaced kind instead of guessing', async () => {
    await expect(objects.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' })).rejects.toThrow(
      'ConfigMap x (v1) is namespaced: give its namespace',
    );
    await expect(objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).rejects.toThrow(
      'is namespaced',
    );
  });
});

describe('a Deployment (apps group)', () => {
  it('is created by apply, scaled by a merge patch, read, listed and deleted', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: env.namespace, labels: { app: 'web' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
      },
    };
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: env.namespace };
    const applied = await objects.apply(deployment);
    expect(applied.metadata.uid).toBeTruthy();
    // The deployment controller writes its status meanwhile, so resourceVersion may move; the spec does not.
    expect((await objects.apply(deployment)).metadata.generation).toBe(applied.metadata.generation);
    const scaled = await objects.patch<KubeObject & { spec: { replicas: number } }>(ref, { spec: { replicas: 3 } });
    expect(scaled.spec.replicas).toBe(3);
    expect((await objects.get<KubeObject & { spec: { replicas: number } }>(ref))?.spec.replicas).toBe(3);
    const listed = await objects.list('apps/v1', 'Deployment', { namespace: env.namespace, labelSelector: 'app=web' });
    expect(listed.map((item) => `${item.kind} ${item.metadata.name}`)).toEqual(['Deployment web']);
    expect(await objects.delete(ref, { propagationPolicy: 'Foreground' })).toBe(true);
    // Foreground deletion waits on the garbage collector, which the test control plane lacks: the object stays, marked.
    const deleting = await objects.get(ref);
    expect(deleting === undefined || deleting.metadata.deletionTimestamp !== undefined).toBe(true);
  });
});
