// Benchmarks of the kubeop runtime on a local control plane: handling throughput, event-to-handler latency,
// start-up with many objects, and memory per cached object. Prints figures; asserts nothing.
// Run: npm run bench  (node --expose-gc, after npm run build)
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { defineResource } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { prepareOperator } from '@kubeop/core/tooling';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { onControlPlane } from './on-control-plane.js';
import { resource } from './create.js';
import { setTracing } from './tracing.js';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 1000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 50);

const handledAt = new Map();
class BenchHandler extends ResourceHandler {
  async added(object) {
    handledAt.set(object.metadata.name, performance.now());
    this.status = { state: 'done' };
  }
}
defineResource(BenchHandler, { resource, onAdded: 'added' });

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const gc = globalThis.gc ?? (() => {});
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
// maxRSS is the process's high-water mark so far (KiB).
const peakRss = () => `${mb(process.resourceUsage().maxRSS * 1024)} MB`;
const rssAtImport = process.memoryUsage().rss;
const cpuMsPerObject = (cpu) => ((cpu.user + cpu.system) / 1000 / OBJECTS).toFixed(3);

async function startOperator(kubeconfigPath, namespace, extra = []) {
  const prepared = prepareOperator({
    handlers: [BenchHandler],
    // Servers off unless asked: the bench starts several operators.
    argv: [
      '--kubeconfig',
      kubeconfigPath,
      '--namespace',
      namespace,
      '--create-crd',
      '--metrics-bind-address',
      '0',
      '--health-probe-bind-address',
      '0',
      ...extra,
    ],
    env: {},
    logStream: quiet,
  });
  const { operator } = prepared;
  await operator.start();
  await operator.synced();
  return operator;
}

// The creating clients run in a child process: CPU and RSS of this process are then the operator's (and the
// bench's bookkeeping), not client-node's, which opens a connection per call.
async function createMany(kubeconfigPath, namespace, prefix, count, parallel = 16) {
  await promisify(execFile)(process.execPath, [
    fileURLToPath(new URL('./create.js', import.meta.url)),
    kubeconfigPath,
    namespace,
    prefix,
    String(count),
    String(parallel),
  ]);
}

/** BENCH_TRACING=off,api,sdk: the storm (metrics off) once per tracing mode, and nothing else. */
async function tracingStorms(plane, modes) {
  for (const mode of modes) {
    const tracing = await setTracing(mode);
    const ns = await createTestNamespace(plane.kubeConfig, `bench-tracing-${mode}`);
    const op = await startOperator(plane.kubeconfigPath, ns);
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await createMany(plane.kubeconfigPath, ns, 'tr', OBJECTS);
    await eventually(() => op.controllerStats[0].handlers.handled >= OBJECTS, 'all handled', 600_000);
    await op.stop();
    // Spans still batched are exported (and paid for) before the CPU is read.
    await tracing.teardown();
    console.log(
      `storm, tracing ${mode}: ${cpuMsPerObject(process.cpuUsage(cpu0))} CPU ms per object (operator), ` +
        `${(OBJECTS / ((performance.now() - w0) / 1000)).toFixed(0)} objects/s, spans exported: ${tracing.exported()}`,
    );
  }
  console.log(`peak RSS after the storms: ${peakRss()}`);
}

const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function main(plane) {
  const api = plane.kubeConfig.makeApiClient(CustomObjectsApi);
  console.log(`kubeop benchmark: ${OBJECTS} objects, Node ${process.version}, kube-apiserver v1.37.2 on loopback`);
  console.log(`RSS after importing kubeop and client-node: ${mb(rssAtImport)} MB`);
  if (process.env.BENCH_TRACING) return tracingStorms(plane, process.env.BENCH_TRACING.split(','));

  // 0. The cost of metrics: the same storm with /metrics off and on. CPU is this process's: the operator's.
  for (const [label, address] of [
    ['metrics off', '0'],
    ['metrics on', '127.0.0.1:0'],
  ]) {
    const ns = await createTestNamespace(plane.kubeConfig, 'bench-metrics');
    const op = await startOperator(plane.kubeconfigPath, ns, ['--metrics-bind-address', address]);
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await createMany(plane.kubeconfigPath, ns, 'mx', OBJECTS);
    await eventually(() => op.controllerStats[0].handlers.handled >= OBJECTS, 'all handled', 600_000);
    console.log(
      `storm, ${label}: ${cpuMsPerObject(process.cpuUsage(cpu0))} CPU ms per object (operator), ` +
        `${(OBJECTS / ((performance.now() - w0) / 1000)).toFixed(0)} objects/s`,
    );
    await op.stop();
  }
  console.log(`peak RSS after the storms: ${peakRss()}`);

  // 1. Throughput: objects created as fast as 16 parallel clients (one child process) can, handled by --max-concurrent 10 (default).
  const ns1 = await createTestNamespace(plane.kubeConfig, 'bench-throughput');
  let operator = await startOperator(plane.kubeconfigPath, ns1);
  const tpCpu0 = process.cpuUsage();
  const t0 = performance.now();
  await createMany(plane.kubeconfigPath, ns1, 'tp', OBJECTS);
  const created = performance.now();
  await eventually(() => operator.controllerStats[0].handlers.handled >= OBJECTS, 'all handled', 600_000);
  const done = performance.now();
  const tpCpu = process.cpuUsage(tpCpu0);
  console.log(
    `throughput: ${OBJECTS} objects created in ${((created - t0) / 1000).toFixed(2)} s, all handled (status written) ` +
      `${((done - t0) / 1000).toFixed(2)} s after the first create: ${(OBJECTS / ((done - t0) / 1000)).toFixed(0)} objects/s, ` +
      `${cpuMsPerObject(tpCpu)} CPU ms per object (operator)`,
  );

  // 2. Memory: the watcher's cache of OBJECTS objects, heap measured after GC.
  gc();
  const heapWith = process.memoryUsage().heapUsed;
  await operator.stop();
  operator = undefined;
  gc();
  const heapWithout = process.memoryUsage().heapUsed;
  console.log(
    `memory: heap ${mb(heapWith)} MB with the operator and its ${OBJECTS}-object cache, ${mb(heapWithout)} MB after stopping it: ` +
      `about ${((heapWith - heapWithout) / OBJECTS / 1024).toFixed(2)} KiB per cached object (${mb(process.memoryUsage().rss)} MB RSS of the whole bench process)`,
  );

  // 3. Start-up with OBJECTS objects already there (all processed: the state rule skips them).
  const s0 = performance.now();
  operator = await startOperator(plane.kubeconfigPath, ns1);
  await eventually(
    () => operator.controllerStats[0].handlers.running === 0 && operator.controllerStats[0].watcher.events >= OBJECTS,
    'initial list handled',
    120_000,
  );
  console.log(
    `start-up: listed and sorted out ${OBJECTS} processed objects in ${((performance.now() - s0) / 1000).toFixed(2)} s, ` +
      `handlers called again: ${operator.controllerStats[0].handlers.handled}`,
  );
  await operator.stop();

  // 4. Latency: one object at a time, from the create call to the handler being called.
  const ns2 = await createTestNamespace(plane.kubeConfig, 'bench-latency');
  operator = await startOperator(plane.kubeconfigPath, ns2);
  const latencies = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const name = `lat-${i}`;
    const start = performance.now();
    await api.createNamespacedCustomObject({
      ...resource,
      namespace: ns2,
      body: { apiVersion: `${resource.group}/${resource.version}`, kind: resource.kind, metadata: { name } },
    });
    await eventually(() => handledAt.has(name), 'handled', 30_000);
    latencies.push(handledAt.get(name) - start);
  }
  console.log(
    `latency (create call → handler called), ${LATENCY_SAMPLES} samples: median ${percentile(latencies, 50).toFixed(1)} ms, ` +
      `p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
  );
  await operator.stop();
  console.log(`peak RSS of the bench process: ${peakRss()}`);
}

onControlPlane(main);
