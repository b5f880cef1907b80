// Leader-election figures with real processes and the default timings (lease 15 s, renew 10 s, retry 2 s):
// takeover time after a SIGKILL and after a SIGTERM of the leader (median of RUNS), and what a standby costs.
// Run: npm run build && node bench/takeover.js   (BENCH_TAKEOVER_RUNS=5 by default). Prints figures; asserts nothing.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { onControlPlane } from './on-control-plane.js';

const RUNS = Number(process.env.BENCH_TAKEOVER_RUNS ?? 5);
const FIXTURE = fileURLToPath(new URL('../packages/core/test/fixtures/journal-operator.js', import.meta.url));
const resource = { group: 'it.kubeop.dev', version: 'v1', plural: 'widgets', kind: 'Widget' };
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.it.kubeop.dev' },
  spec: {
    group: 'it.kubeop.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    // No x-kubernetes-* key: client-node's typed API would drop it.
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { status: { type: 'object', properties: { state: { type: 'string' } } } },
          },
        },
      },
    ],
  },
};

function replica(kubeconfig, namespace, journal, id) {
  const child = spawn(
    process.execPath,
    [
      FIXTURE,
      '--namespace',
      namespace,
      '--leader-elect',
      '--leader-election-namespace',
      namespace,
      '--metrics-bind-address',
      '0',
      '--health-probe-bind-address',
      '0',
    ],
    {
      env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig, JOURNAL: journal, REPLICA: id },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, exited, output: () => output };
}

const doneBy = (journal, name) =>
  readFileSync(journal, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`done ${name} `))
    ?.split(' ');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function takeover(plane, api, signal, run) {
  const namespace = await createTestNamespace(plane.kubeConfig, `takeover-${signal.toLowerCase()}`);
  const journal = join(tmpdir(), `kubeop-takeover-${process.pid}-${signal}-${run}`);
  writeFileSync(journal, '');
  const a = replica(plane.kubeconfigPath, namespace, journal, 'a');
  await eventually(() => /became the leader/.test(a.output()), 'a to lead', 60_000);
  const b = replica(plane.kubeconfigPath, namespace, journal, 'b');
  await eventually(() => /standing by/.test(b.output()), 'b to stand by', 60_000);
  const create = (name) =>
    api.createNamespacedCustomObject({
      ...resource,
      namespace,
      body: { apiVersion: 'it.kubeop.dev/v1', kind: 'Widget', metadata: { name } },
    });
  await create('first');
  await eventually(() => doneBy(journal, 'first'), 'the first object', 30_000);
  let standby;
  if (run === 0 && signal === 'SIGKILL') {
    const cpu0 = cpuMs(b.child.pid);
    const at = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    standby = {
      cpuPerMinute: ((cpuMs(b.child.pid) - cpu0) / (Date.now() - at)) * 60_000,
      rss: rssMb(b.child.pid),
      leaderRss: rssMb(a.child.pid),
    };
  }
  a.child.kill(signal);
  await a.exited;
  const stoppedAt = Date.now();
  await create('second');
  await eventually(() => doneBy(journal, 'second'), 'the second object', 60_000);
  const [, , by, at] = doneBy(journal, 'second');
  b.child.kill('SIGTERM');
  await b.exited;
  if (by !== 'b') throw new Error(`the second object was handled by ${by}`);
  return { ms: Number(at) - stoppedAt, standby };
}

async function main(plane) {
  const api = plane.kubeConfig.makeApiClient(CustomObjectsApi);
  await installCrd(plane);
  console.log(`leader election, default timings, ${RUNS} runs each, Node ${process.version}`);
  for (const signal of ['SIGKILL', 'SIGTERM']) {
    const times = [];
    for (let run = 0; run < RUNS; run++) {
      const { ms, standby } = await takeover(plane, api, signal, run);
      times.push(ms);
      if (standby) {
        console.log(
          `standby replica: ${standby.cpuPerMinute.toFixed(0)} CPU ms per minute, RSS ${standby.rss.toFixed(0)} MB (leader with one object: ${standby.leaderRss.toFixed(0)} MB)`,
        );
      }
    }
    console.log(
      `${signal} of the leader → next object handled by the standby: median ${median(times)} ms (${times.join(', ')} ms)`,
    );
  }
}

async function installCrd(plane) {
  const ext = plane.kubeConfig.makeApiClient(ApiextensionsV1Api);
  await ext.createCustomResourceDefinition({ body: CRD });
  await eventually(
    async () => {
      const crd = await ext.readCustomResourceDefinition({ name: CRD.metadata.name });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    'the CRD',
    60_000,
  );
}

onControlPlane(main);
