// What the watch cache keeps, on the real control plane: managedFields dropped unless a class keeps them, and a
// metadata-only cache of owned objects (no data, yet a changed child still runs its owner).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { CustomResource, OnAdded, OnReconcile, Owns } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler, type RunReason } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { ResourceWatcher, type WatcherOptions } from '../src/internal/watch/watcher.js';
import { createRootLogger } from '../src/logging.js';
import { objects, operatorSuite, runOperator } from './support/operator.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' };
const keepers = { group: 'cache.it.kubeop.dev', version: 'v1', plural: 'keepers', kind: 'Keeper' } as const;
const droppers = { group: 'cache.it.kubeop.dev', version: 'v1', plural: 'droppers', kind: 'Dropper' } as const;
const owners = { group: 'cache.it.kubeop.dev', version: 'v1', plural: 'owners', kind: 'Owner' } as const;

/** The managedFields each handler saw, by object name. */
const seen = new Map<string, unknown>();

@CustomResource({ ...keepers, keepManagedFields: true })
class KeeperHandler extends ResourceHandler {
  @OnAdded()
  async added(object: CustomObject) {
    seen.set(object.metadata.name, object.metadata.managedFields);
  }
}

@CustomResource(droppers)
class DropperHandler extends ResourceHandler {
  @OnAdded()
  async added(object: CustomObject) {
    seen.set(object.metadata.name, object.metadata.managedFields);
  }
}

const ownerRuns: Array<{ name: string; reasons: RunReason[] }> = [];

@CustomResource(owners)
@Owns(configMaps, { metadataOnly: true })
class OwnerHandler extends ResourceHandler<{ value?: string }> {
  @OnReconcile()
  async reconcile(owner: CustomObject<{ value?: string }>) {
    ownerRuns.push({ name: owner.metadata.name, reasons: this.reasons });
    await this.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${owner.metadata.name}-child` },
      data: { value: owner.spec?.value ?? '' },
    });
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [KeeperHandler, DropperHandler, OwnerHandler] });
let client: KubeClient;
const watchers: ResourceWatcher[] = [];
beforeAll(() => {
  client = new KubeClient(env.kubeConfig);
});
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.stop()));
});
afterAll(async () => {
  await client.close();
});

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const configMapsPath = () => `/api/v1/namespaces/${env.namespace}/configmaps`;

/** A started watcher of the test namespace's ConfigMaps, synced. */
async function watchConfigMaps(options: Partial<WatcherOptions>): Promise<ResourceWatcher> {
  const watcher = new ResourceWatcher({
    client,
    path: configMapsPath(),
    description: 'configmaps',
    logger: createRootLogger({ level: 'error', format: 'json', stream: quiet }),
    ...options,
  });
  watchers.push(watcher);
  watcher.start();
  await watcher.synced;
  return watcher;
}

describe('the watch cache', () => {
  it('drops managedFields on receipt, from the list and the watch, unless asked to keep them', async () => {
    await client.request('POST', configMapsPath(), {
      body: { metadata: { name: 'fields', labels: { a: 'b' } }, data: { value: 'listed' } },
    });
    const dropping = await watchConfigMaps({});
    const keeping = await watchConfigMaps({ keepManagedFields: true });
    const listed = dropping.cache.get(`${env.namespace}/fields`)!;
    expect(listed.metadata.managedFields).toBeUndefined();
    expect(JSON.parse(JSON.stringify(listed)).metadata).not.toHaveProperty('managedFields');
    expect(listed).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { value: 'listed' } });
    expect(keeping.cache.get(`${env.namespace}/fields`)!.metadata.managedFields).toEqual(
      expect.arrayContaining([expect.objectContaining({ operation: 'Update' })]),
    );

    await client.request('PATCH', `${configMapsPath()}/fields`, {
      body: { data: { value: 'watched' } },
      contentType: 'application/merge-patch+json',
    });
    const watched = await eventually(() => {
      const object = dropping.cache.get(`${env.namespace}/fields`);
      return object?.data && (object.data as { value: string }).value === 'watched' ? object : undefined;
    }, 'the change in the cache');
    expect(watched.metadata.managedFields).toBeUndefined();
    const kept = await eventually(() => {
      const object = keeping.cache.get(`${env.namespace}/fields`);
      return (object?.data as { value?: string } | undefined)?.value === 'watched' ? object : undefined;
    }, 'the change in the keeping cache');
    expect(kept.metadata.managedFields).toEqual(expect.any(Array));
  });

  it('caches only metadata with metadataOnly: no data, the type named as the server names it', async () => {
    const ownerReferences = [
      { apiVersion: 'example.kubeop.dev/v1', kind: 'Thing', name: 'thing', uid: 'a-uid', controller: true },
    ];
    await client.request('POST', configMapsPath(), {
      body: { metadata: { name: 'meta', labels: { a: 'b' }, ownerReferences }, data: { value: 'x'.repeat(1000) } },
    });
    const watcher = await watchConfigMaps({ metadataOnly: true, type: { apiVersion: 'v1', kind: 'ConfigMap' } });
    const listed = watcher.cache.get(`${env.namespace}/meta`)!;
    expect(listed).not.toHaveProperty('data');
    expect(listed.apiVersion).toBe('v1');
    expect(listed.kind).toBe('ConfigMap');
    expect(listed.metadata).toMatchObject({ name: 'meta', labels: { a: 'b' }, ownerReferences });
    expect(listed.metadata.managedFields).toBeUndefined();

    const changed = await client.request<CustomObject>('PATCH', `${configMapsPath()}/meta`, {
      body: { metadata: { labels: { a: 'c' } }, data: { value: 'y' } },
      contentType: 'application/merge-patch+json',
    });
    const watched = await eventually(() => {
      const object = watcher.cache.get(`${env.namespace}/meta`);
      return object?.metadata.resourceVersion === changed.metadata.resourceVersion ? object : undefined;
    }, 'the change in the cache');
    expect(watched).not.toHaveProperty('data');
    expect(watched).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { labels: { a: 'c' } } });
  });

  it('gives handlers objects without managedFields, unless the class keeps them', async () => {
    await runOperator([KeeperHandler, DropperHandler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
    });
    await objects(env.kubeConfig, keepers, env.namespace).create('kept', {});
    await objects(env.kubeConfig, droppers, env.namespace).create('dropped', {});
    await eventually(() => seen.has('kept') && seen.has('dropped'), 'both handlers called');
    expect(seen.get('kept')).toEqual(
      expect.arrayContaining([expect.objectContaining({ manager: expect.any(String) })]),
    );
    expect(seen.get('dropped')).toBeUndefined();
  });

  it('runs the owner when a child cached metadata-only changes', async () => {
    await runOperator([OwnerHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await objects(env.kubeConfig, owners, env.namespace).create('parent', { value: 'v1' });
    await eventually(
      () => client.request('GET', `${configMapsPath()}/parent-child`).catch(() => undefined),
      'the child',
    );
    await client.request('PATCH', `${configMapsPath()}/parent-child`, {
      body: { data: { value: 'tampered' } },
      contentType: 'application/merge-patch+json',
    });
    const repair = await eventually(
      () =>
        ownerRuns.find((run) =>
          run.reasons.some((r) => r.type === 'owned-changed' && r.name === 'parent-child' && r.event === 'modified'),
        ),
      'the owner run for the edited child',
    );
    expect(repair.reasons).toContainEqual({
      type: 'owned-changed',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'parent-child',
      namespace: env.namespace,
      event: 'modified',
    });
    await eventually(
      async () =>
        (await client.request<{ data?: { value?: string } }>('GET', `${configMapsPath()}/parent-child`)).data?.value ===
        'v1',
      'the child restored',
    );
  });
});
