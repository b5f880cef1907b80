// Storage migration on the real control plane: 2,000 objects stored at v1, storage switched to v2, every object
// rewritten while a writer keeps updating some (none of its updates lost), storedVersions pruned, v1 then removed.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { KubeApiError } from '../src/kube/errors.js';
import { migrateStorage } from '../src/internal/migrate/storage-migrator.js';
import { createRootLogger } from '../src/logging.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const group = `m${randomBytes(3).toString('hex')}.kubeop.dev`;
const crdName = `gadgets.${group}`;
const resource = { group, plural: 'gadgets', kind: 'Gadget', scope: 'Namespaced' as const };
const OBJECTS = 2000;
const WRITTEN = 20;

const schema = {
  openAPIV3Schema: {
    type: 'object',
    properties: { spec: { type: 'object', properties: { counter: { type: 'integer' } } } },
  },
};
const version = (name: string, storage: boolean) => ({ name, served: true, storage, schema });

let env: TestEnvironment;
let client: KubeClient;
const lines: string[] = [];
const logger = createRootLogger({
  level: 'info',
  format: 'text',
  stream: new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }),
});

beforeAll(async () => {
  env = await testEnvironment();
  client = new KubeClient(env.kubeConfig);
  await client.request('POST', CRD_PATH, {
    body: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crdName },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [version('v1', true), version('v2', false)],
        conversion: { strategy: 'None' },
      },
    },
  });
});
afterAll(async () => {
  await client.request('DELETE', `${CRD_PATH}/${crdName}`).catch(() => undefined);
  await client.close();
});

const collection = (v: string) => `/apis/${group}/${v}/namespaces/${env.namespace}/gadgets`;
const storedVersions = async () =>
  (await client.request<{ status: { storedVersions: string[] } }>('GET', `${CRD_PATH}/${crdName}`)).status
    .storedVersions;

async function inParallel(count: number, workers: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Read-modify-write of spec.counter, retried on conflict, alternating the version it writes at; the value written. */
async function increment(name: string, at: string): Promise<number> {
  for (;;) {
    const object = await client.request<{ spec?: { counter?: number } }>('GET', `${collection(at)}/${name}`);
    const counter = (object.spec?.counter ?? 0) + 1;
    try {
      await client.request('PUT', `${collection(at)}/${name}`, { body: { ...object, spec: { counter } } });
      return counter;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.isConflict)) throw error;
    }
  }
}

describe('migrateStorage', () => {
  it('rewrites every object at the new storage version without losing a concurrent write, then prunes storedVersions', async () => {
    await eventually(
      () =>
        client.request('GET', collection('v1'), { query: { limit: 1 } }).then(
          () => true,
          () => false,
        ),
      'gadgets served',
    );
    await inParallel(OBJECTS, 8, (i) =>
      client.request('POST', collection('v1'), {
        body: { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: `g${i}` }, spec: { counter: 0 } },
      }),
    );
    expect(await migrateStorage({ client, resource, logger })).toMatchObject({ outcome: 'not-needed' });

    await client.request('PATCH', `${CRD_PATH}/${crdName}`, {
      contentType: 'application/merge-patch+json',
      body: { spec: { versions: [version('v1', false), version('v2', true)] } },
    });
    await eventually(async () => (await storedVersions()).includes('v2'), 'storedVersions to list v2');
    expect(await storedVersions()).toEqual(['v1', 'v2']);

    const rv = async (name: string) =>
      (await client.request<{ metadata: { resourceVersion: string } }>('GET', `${collection('v2')}/${name}`)).metadata
        .resourceVersion;
    const untouched = `g${OBJECTS - 1}`; // not written by the writer below
    const before = await rv(untouched);

    // A migration stopped after its first page (a restart) leaves storedVersions alone; the next run finishes it.
    const stop = new AbortController();
    const stopped = migrateStorage({
      client,
      resource,
      logger,
      signal: stop.signal,
      metrics: { rewritten: () => stop.abort(new Error('restart')), pendingVersions: () => undefined },
    });
    await expect(stopped).rejects.toThrow();
    expect(await storedVersions()).toEqual(['v1', 'v2']);

    const last = new Map<string, number>();
    let migrating = true;
    const writer = (async () => {
      let writes = 0;
      while (migrating || writes < WRITTEN) {
        const name = `g${writes % WRITTEN}`;
        last.set(name, await increment(name, writes % 2 ? 'v1' : 'v2'));
        writes++;
      }
      return writes;
    })();
    const pending: number[] = [];
    const result = await migrateStorage({
      client,
      resource,
      logger,
      metrics: { rewritten: () => undefined, pendingVersions: (n) => pending.push(n) },
    }).finally(() => (migrating = false));
    expect(await writer).toBeGreaterThanOrEqual(WRITTEN);

    expect(result).toEqual({ outcome: 'migrated', storedVersions: ['v1', 'v2'], objects: OBJECTS });
    expect(pending).toEqual([1, 0]);
    expect(await storedVersions()).toEqual(['v2']);
    for (const [name, counter] of last) {
      const object = await client.request<{ spec: { counter: number } }>('GET', `${collection('v2')}/${name}`);
      expect({ name, counter: object.spec.counter }).toEqual({ name, counter });
    }
    // The empty patch wrote the object stored at v1 (re-encoded at v2: a new resourceVersion); once at v2, the same
    // patch writes nothing, the API server finding the bytes unchanged.
    const after = await rv(untouched);
    expect(after).not.toBe(before);
    await client.request('PATCH', `${collection('v2')}/${untouched}`, {
      contentType: 'application/merge-patch+json',
      body: { metadata: { resourceVersion: after } },
    });
    expect(await rv(untouched)).toBe(after);
    expect(lines.join('')).toMatch(
      /storage migration of gadgets\..* done: 2000 objects at v2; storedVersions is now \[v2\]/,
    );

    // The old version can go now: the API server refuses it while storedVersions lists it.
    await client.request('PATCH', `${CRD_PATH}/${crdName}`, {
      contentType: 'application/merge-patch+json',
      body: { spec: { versions: [version('v2', true)] } },
    });
    const crd = await client.request<{ spec: { versions: Array<{ name: string }> } }>('GET', `${CRD_PATH}/${crdName}`);
    expect(crd.spec.versions.map((v) => v.name)).toEqual(['v2']);
    const listed = await eventually(async () => {
      const list = await client.request<{ items: unknown[] }>('GET', collection('v2'));
      return list.items.length === OBJECTS && list;
    }, 'every object readable at v2');
    expect(listed.items).toHaveLength(OBJECTS);
  });
});
