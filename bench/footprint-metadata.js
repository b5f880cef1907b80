// What a metadata-only cache of owned objects saves (`@Owns(type, { metadataOnly: true })`): the heap held by a
// watcher of 1,000 child ConfigMaps (ownerReferences, labels, 1 KiB of data) whole and metadata-only, after GC.
// Part of bench/footprint.js (needs node --expose-gc).
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createTestNamespace } from '@kubeop/testing';
import { ResourceWatcher } from '../packages/core/dist/internal/watch/watcher.js';
import { collectionPath } from '../packages/core/dist/kube/resource.js';
import { createRootLogger } from '../packages/core/dist/logging.js';
import { inParallel } from './in-parallel.js';

const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 1000);
const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', scope: 'Namespaced' };
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

/** Lets pending I/O callbacks run, then collects twice, so the heap holds only what is still referenced. */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 200));
  globalThis.gc();
  globalThis.gc();
}

/** Heap held by one watcher of the children once it listed them, after GC; and one cached child. */
async function heldBy(options) {
  await settle();
  const before = process.memoryUsage().heapUsed;
  const watcher = new ResourceWatcher(options);
  watcher.start();
  await watcher.synced;
  if (watcher.cache.size !== CHILDREN)
    throw new Error(`expected ${CHILDREN} cached children, got ${watcher.cache.size}`);
  await settle();
  const held = process.memoryUsage().heapUsed - before;
  const sample = watcher.cache.values().next().value;
  await watcher.stop();
  watcher.cache.clear();
  return { held, sample };
}

/** The line bench/footprint.js prints, or undefined where the runtime has no metadata-only cache. */
export async function measureMetadataOnly(plane, client) {
  if (typeof globalThis.gc !== 'function') return 'metadata-only cache: not measured (run node with --expose-gc)';
  const namespace = await createTestNamespace(plane.kubeConfig, 'footprint-children');
  const owner = {
    apiVersion: 'example.kubeop.dev/v1alpha1',
    kind: 'TestObject',
    name: 'owner',
    uid: randomUUID(),
  };
  await inParallel(CHILDREN, 16, (i) =>
    client.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: `child-${i}`,
          labels: { 'app.kubernetes.io/managed-by': 'footprint-bench', 'app.kubernetes.io/instance': `owner-${i}` },
          ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }],
        },
        data: { 'config.yaml': 'key: value\n'.repeat(93) },
      },
    }),
  );
  const logger = createRootLogger({ level: 'error', format: 'json', stream: quiet });
  const options = { client, logger, path: collectionPath(configMaps, namespace), description: 'children' };
  // A warm-up round first: the first list leaves buffers and compiled code behind that would count against one side.
  await heldBy(options);
  const whole = await heldBy(options);
  const metadata = await heldBy({ ...options, metadataOnly: true, type: { apiVersion: 'v1', kind: 'ConfigMap' } });
  if (metadata.sample.data !== undefined) return 'metadata-only cache: not supported by this runtime';
  const perChild = (held) => Math.round(held / CHILDREN);
  return (
    `owned ConfigMaps (1 KiB of data each), heap per cached child: whole ${perChild(whole.held)} bytes, ` +
    `metadata-only ${perChild(metadata.held)} bytes (${(100 - (metadata.held / whole.held) * 100).toFixed(0)}% less, ${CHILDREN} children)`
  );
}
