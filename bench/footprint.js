// The footprint of a deployed operator against a client-go informer + workqueue loop doing the same work (bench/go,
// built here from Go modules), side by side on one control plane: idle RSS, a storm's peak RSS and CPU per object,
// RSS and heap with 1,000 and 10,000 objects cached, a restart over 10,000 handled objects, and what a metadata-only
// cache of owned objects saves. Prints figures; asserts nothing. Run: npm run bench:footprint
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { KubeClient } from '../packages/core/dist/kube/client.js';
import * as deployment from '../packages/cli/dist/manifests/deployment.js';
import { inParallel } from './in-parallel.js';
import { onControlPlane } from './on-control-plane.js';
import { measureMetadataOnly } from './footprint-metadata.js';

const STORM = Number(process.env.BENCH_OBJECTS ?? 2000);
const WRITERS = 16;
/** BENCH_CACHED=0 skips the cache and restart figures (to try Node.js flags on the storm alone). */
const CACHED = process.env.BENCH_CACHED === '0' ? [] : [1000, Number(process.env.BENCH_CACHED ?? 10_000)];
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const CRD = JSON.parse(
  readFileSync(here('../samples/test-object/dist/crds/testobjects.example.kubeop.dev.json'), 'utf8'),
);
const resource = { group: 'example.kubeop.dev', version: 'v1alpha1', plural: 'testobjects', kind: 'TestObject' };
const apiVersion = `${resource.group}/${resource.version}`;
/** The Node.js flags the Deployment of `kubeop manifests` sets (BENCH_NODE_OPTIONS overrides them). */
const NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? deployment.NODE_OPTIONS ?? '';
/**
 * The operator runs as the Deployment runs it: leader election, /metrics and the probes served (on free loopback
 * ports here rather than :8080 and :8081), JSON logs at the default level. BENCH_OPERATOR_ARGS replaces these flags.
 */
const OPERATOR_ARGS = process.env.BENCH_OPERATOR_ARGS?.split(' ').filter(Boolean) ?? [
  '--leader-elect',
  '--metrics-bind-address=127.0.0.1:0',
  '--health-probe-bind-address=127.0.0.1:0',
  '--log-format=json',
];

/** VmRSS and VmHWM (peak) of a process, in MiB, and its CPU seconds so far. */
function footprint(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const [utime, stime] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).map(Number);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024, cpuSeconds: (utime + stime) / 100 };
}

/** Polls `probe` once a second (a list of thousands of objects is not free for the API server) until it holds. */
async function until(probe, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Runs `command`, collecting its output; `probe()` sends SIGUSR2 and parses the `probe k=v …` line it prints. */
function start(command, args, env) {
  const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.stderr.on('data', (chunk) => (text += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const waitFor = (pattern, what) =>
    eventually(() => pattern.test(text) || child.exitCode !== null, what, 120_000).then(() => {
      if (!pattern.test(text)) throw new Error(`${command} exited before ${what}:\n${text.slice(-4000)}`);
    });
  let probes = 0;
  return {
    pid: child.pid,
    waitFor,
    async probe() {
      const before = (text.match(/^probe /gm) ?? []).length;
      probes = before + 1;
      child.kill('SIGUSR2');
      await eventually(() => (text.match(/^probe /gm) ?? []).length >= probes, 'a probe line', 60_000);
      const line = text.match(/^probe .*$/gm).at(-1);
      return Object.fromEntries(
        line
          .slice(6)
          .split(' ')
          .map((pair) => pair.split('='))
          .map(([k, v]) => [k, Number(v)]),
      );
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Builds the client-go loop of bench/go into a temp folder with the machine's Go (modules from the proxy). */
async function buildClientGoLoop(dir) {
  const out = join(dir, 'clientgo-loop');
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off', CGO_ENABLED: '0' };
  const started = Date.now();
  const child = spawn('go', ['build', '-mod=readonly', '-trimpath', '-o', out, '.'], {
    cwd: here('./go'),
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise((resolve) => {
    child.once('exit', resolve);
    child.once('error', (error) => {
      console.error(`cannot run go (${error.message}): install Go 1.26 or later, which builds bench/go`);
      resolve(127);
    });
  });
  if (code !== 0) throw new Error(`go build in bench/go exited with ${code}`);
  console.log(`built the client-go loop (k8s.io/client-go v0.37.2) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out;
}

const implementations = (plane, loopBinary) => [
  {
    name: 'kubeop',
    start: (namespace) =>
      start(
        process.execPath,
        ['--expose-gc', here('./footprint-operator.js'), '--namespace', namespace, ...OPERATOR_ARGS],
        { KUBECONFIG: plane.kubeconfigPath, NODE_OPTIONS },
      ),
  },
  {
    name: 'client-go',
    start: (namespace) =>
      start(loopBinary, ['-kubeconfig', plane.kubeconfigPath, '-namespace', namespace], { GOGC: process.env.GOGC }),
  },
];

onControlPlane(async (plane) => {
  const client = new KubeClient(plane.kubeConfig);
  const dir = mkdtempSync(join(tmpdir(), 'kubeop-footprint-'));
  try {
    const loopBinary = await buildClientGoLoop(dir);
    await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: CRD });
    const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD.metadata.name}`;
    await eventually(
      async () => {
        const crd = await client.request('GET', crdPath);
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      },
      'the CRD established',
      60_000,
    );
    const collection = (namespace) =>
      `/apis/${resource.group}/${resource.version}/namespaces/${namespace}/${resource.plural}`;
    const create = (namespace, from, to, handled) =>
      inParallel(to - from, WRITERS, async (i) => {
        const name = `object-${from + i}`;
        await client.request('POST', collection(namespace), {
          body: { apiVersion, kind: resource.kind, metadata: { name }, spec: { message: 'x'.repeat(200) } },
        });
        if (handled) {
          await client.request('PATCH', `${collection(namespace)}/${name}/status`, {
            body: { status: { state: 'created' } },
            contentType: 'application/merge-patch+json',
          });
        }
      });
    /** Every object's resourceVersion: what a restart must leave alone. */
    const versions = async (namespace) => {
      const list = await client.request('GET', collection(namespace));
      return new Map(list.items.map((item) => [item.metadata.name, item.metadata.resourceVersion]));
    };
    const rows = [];
    const row = (label, [a, b], digits = 0, ratio = false) => {
      rows.push([label, a.toFixed(digits), b.toFixed(digits), ratio ? `${(a / b).toFixed(2)}×` : '']);
      console.log(rows.at(-1).join('  '));
    };
    // BENCH_ONLY=kubeop runs one side alone (figures of the other print as 0).
    const impls = implementations(plane, loopBinary).map((impl) =>
      process.env.BENCH_ONLY && process.env.BENCH_ONLY !== impl.name ? { ...impl, skip: true } : impl,
    );

    // Idle, then a storm of objects created by 16 writers while the operator runs.
    const idle = [];
    const storm = [];
    for (const impl of impls) {
      if (impl.skip) {
        idle.push(0);
        storm.push({ peak: 0, cpuMs: 0 });
        continue;
      }
      const namespace = await createTestNamespace(plane.kubeConfig, `footprint-${impl.name}`);
      const operator = impl.start(namespace);
      await operator.waitFor(/^synced /m, `${impl.name} synced`);
      // Settled: start-up garbage collected, timers quiet.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const before = footprint(operator.pid);
      idle.push(before.rss);
      await create(namespace, 0, STORM, false);
      await until(
        async () => {
          const list = await client.request('GET', collection(namespace));
          return list.items.length === STORM && list.items.every((item) => item.status?.state);
        },
        `${impl.name}: every object handled`,
        900_000,
      );
      const after = footprint(operator.pid);
      storm.push({ peak: after.peak, cpuMs: ((after.cpuSeconds - before.cpuSeconds) * 1000) / STORM });
      await operator.stop();
    }
    row('idle RSS MiB', idle);
    row(`storm of ${STORM} (${WRITERS} writers): peak RSS MiB`, [storm[0].peak, storm[1].peak], 0, true);
    row(`storm: CPU ms per object`, [storm[0].cpuMs, storm[1].cpuMs], 2, true);

    // Objects already handled (status.state set), listed at start-up: the cache, and a restart that must do nothing.
    if (CACHED.length) {
      const namespace = await createTestNamespace(plane.kubeConfig, 'footprint-cached');
      let created = 0;
      const cached = [];
      for (const count of CACHED) {
        await create(namespace, created, count, true);
        created = count;
        const known = await versions(namespace);
        const figures = [];
        for (const impl of impls) {
          if (impl.skip) {
            figures.push({ rss: 0, heap: 0, handled: 0, changed: 0 });
            continue;
          }
          const operator = impl.start(namespace);
          await operator.waitFor(/^synced /m, `${impl.name} synced`);
          await until(async () => (await operator.probe()).running === 0, 'handlers idle', 120_000);
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          const { rss } = footprint(operator.pid);
          const probe = await operator.probe();
          const now = await versions(namespace);
          const changed = [...now].filter(([name, version]) => known.get(name) !== version).length;
          figures.push({ rss, heap: probe.heap / 2 ** 20, handled: probe.handled, changed });
          await operator.stop();
        }
        cached.push(figures);
        row(
          `${count} objects cached: RSS MiB`,
          figures.map((f) => f.rss),
          0,
          true,
        );
        row(
          `${count} objects cached: heap MiB (after GC)`,
          figures.map((f) => f.heap),
          1,
          true,
        );
      }
      const [low, high] = cached;
      const span = CACHED[1] - CACHED[0];
      row(
        'bytes per cached object: RSS',
        [0, 1].map((i) => ((high[i].rss - low[i].rss) * 2 ** 20) / span),
      );
      row(
        'bytes per cached object: heap',
        [0, 1].map((i) => ((high[i].heap - low[i].heap) * 2 ** 20) / span),
      );
      row(
        `restart over ${CACHED[1]} handled: handler calls`,
        high.map((f) => f.handled),
      );
      row(
        `restart over ${CACHED[1]} handled: objects written`,
        high.map((f) => f.changed),
      );
    }

    console.log(
      `\nNode ${process.version} (NODE_OPTIONS=${NODE_OPTIONS || 'none'}; operator ${OPERATOR_ARGS.join(' ')}), ` +
        'kube-apiserver v1.37.2 on loopback',
    );
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(`${''.padEnd(width)}  ${'kubeop'.padStart(9)}  ${'client-go'.padStart(9)}  ratio`);
    for (const [label, a, b, ratio] of rows)
      console.log(`${label.padEnd(width)}  ${a.padStart(9)}  ${b.padStart(9)}  ${ratio}`);

    const metadata = await measureMetadataOnly(plane, client);
    if (metadata) console.log(metadata);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await client.close();
  }
});
