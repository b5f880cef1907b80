// Owned objects on a local control plane: time from a hand-deletion of a child to its restoration (median of 20),
// and the heap of one shared ConfigMap cache against one cache per owner relation, at 1,000 children.
// Prints figures; asserts nothing. Run: npm run bench:owned  (node --expose-gc, after npm run build)
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { CoreV1Api } from '@kubernetes/client-node';
import { defineResource } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { prepareOperator } from '@kubeop/core/tooling';
import { createTestNamespace, eventually } from '@kubeop/testing';
// The bench compares the shared watcher with private ones, which only the runtime's internals can build.
import { Informers } from '../packages/core/dist/internal/watch/informers.js';
import { ResourceWatcher } from '../packages/core/dist/internal/watch/watcher.js';
import { KubeClient } from '../packages/core/dist/kube/client.js';
import { collectionPath } from '../packages/core/dist/kube/resource.js';
import { createRootLogger } from '../packages/core/dist/logging.js';
import { inParallel } from './in-parallel.js';
import { onControlPlane } from './on-control-plane.js';

const REPAIRS = Number(process.env.BENCH_REPAIRS ?? 20);
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 1000);
const RELATIONS = 3;
const owners = { group: 'bench.kubeop.dev', version: 'v1', plural: 'owners', kind: 'Owner' };
const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', scope: 'Namespaced' };

const restoredAt = [];
class OwnerHandler extends ResourceHandler {
  async reconcile(owner) {
    await this.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${owner.metadata.name}-child` },
      data: { a: '1' },
    });
    if (this.reasons.some((reason) => reason.type === 'owned-changed' && reason.event === 'deleted'))
      restoredAt.push(performance.now());
  }
}
defineResource(OwnerHandler, {
  resource: owners,
  owns: [{ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' }],
  onReconcile: 'reconcile',
});

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const gc = globalThis.gc ?? (() => {});
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function repairLatency(plane) {
  const namespace = await createTestNamespace(plane.kubeConfig, 'bench-repair');
  const prepared = prepareOperator({
    handlers: [OwnerHandler],
    argv: [
      '--kubeconfig',
      plane.kubeconfigPath,
      '--namespace',
      namespace,
      '--create-crd',
      '--metrics-bind-address',
      '0',
      '--health-probe-bind-address',
      '0',
    ],
    env: {},
    logStream: quiet,
  });
  const { operator } = prepared;
  await operator.start();
  await operator.synced();
  const client = new KubeClient(plane.kubeConfig);
  const core = plane.kubeConfig.makeApiClient(CoreV1Api);
  try {
    await client.request('POST', `/apis/${owners.group}/${owners.version}/namespaces/${namespace}/${owners.plural}`, {
      body: { apiVersion: `${owners.group}/${owners.version}`, kind: owners.kind, metadata: { name: 'o' } },
    });
    await eventually(
      () => core.readNamespacedConfigMap({ name: 'o-child', namespace }).catch(() => undefined),
      'the child',
      30_000,
    );
    const samples = [];
    for (let i = 0; i < REPAIRS; i++) {
      const before = restoredAt.length;
      const start = performance.now();
      await core.deleteNamespacedConfigMap({ name: 'o-child', namespace });
      await eventually(() => restoredAt.length > before, 'the child restored', 30_000);
      samples.push(restoredAt[before] - start);
    }
    console.log(
      `repair (child deleted by hand → applied again), ${REPAIRS} samples: median ${percentile(samples, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(samples, 95).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms`,
    );
  } finally {
    await operator.stop();
    await client.close();
  }
}

function createChildren(client, namespace) {
  return inParallel(CHILDREN, 16, (i) =>
    client.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `child-${i}`, namespace },
        data: { payload: 'x'.repeat(200) },
      },
    }),
  );
}

/** Heap held by `watchers` once they listed every child, after GC. */
async function heapOf(makeWatchers) {
  await settle();
  const before = process.memoryUsage().heapUsed;
  const watchers = makeWatchers();
  for (const watcher of watchers) watcher.start();
  await Promise.all(watchers.map((watcher) => watcher.synced));
  const cached = new Set(watchers.map((watcher) => watcher.cache.size));
  if (cached.size !== 1 || !cached.has(CHILDREN))
    throw new Error(`expected ${CHILDREN} cached children per watcher, got ${[...cached]}`);
  await settle();
  const held = process.memoryUsage().heapUsed - before;
  await Promise.all(watchers.map((watcher) => watcher.stop()));
  // Stopped watchers may linger until their last stream callbacks ran: drop what they hold now.
  for (const watcher of watchers) watcher.cache.clear();
  return { held, distinct: new Set(watchers).size };
}

/** Lets pending I/O callbacks run, then collects twice, so the heap holds only what is still referenced. */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  gc();
}

async function cacheMemory(plane) {
  const namespace = await createTestNamespace(plane.kubeConfig, 'bench-cache');
  const client = new KubeClient(plane.kubeConfig);
  const logger = createRootLogger({ level: 'error', format: 'json', stream: quiet });
  try {
    await createChildren(client, namespace);
    const options = { client, logger, timeoutSeconds: 300, watchdogMs: 180_000 };
    const sharedWatchers = () => {
      const informers = new Informers({ ...options, metricsFor: () => undefined });
      return Array.from({ length: RELATIONS }, () => informers.get(configMaps, namespace));
    };
    const separateWatchers = () =>
      Array.from(
        { length: RELATIONS },
        (_, i) =>
          new ResourceWatcher({
            ...options,
            path: collectionPath(configMaps, namespace),
            description: `relation ${i}`,
          }),
      );
    // A warm-up round first: the first lists leave buffers and compiled code behind that would count against one side.
    await heapOf(separateWatchers);
    await heapOf(sharedWatchers);
    const separate = await heapOf(separateWatchers);
    const shared = await heapOf(sharedWatchers);
    const perChild = (held) => (held / CHILDREN / 1024).toFixed(2);
    console.log(
      `cache of ${CHILDREN} ConfigMaps for ${RELATIONS} owner relations: shared ${mb(shared.held)} MB (${shared.distinct} watcher, ` +
        `${perChild(shared.held)} KiB per child), one per relation ${mb(separate.held)} MB (${separate.distinct} watchers, ${perChild(separate.held)} KiB per child)`,
    );
  } finally {
    await client.close();
  }
}

onControlPlane(async (plane) => {
  console.log(`kubeop owned-objects benchmark: Node ${process.version}, kube-apiserver v1.37.2 on loopback`);
  await repairLatency(plane);
  await cacheMemory(plane);
});
