// The footprint of a deployed operator, measured as a process of its own (the test-object sample's dist/main.js):
// RSS idle after start-up, and RSS and CPU after a storm of objects, which set the requests and limits that
// `kubeop manifests` writes. Prints figures; asserts nothing. Run: npm run bench:footprint (after npm run build)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { spawnOperator } from '@kubeop/testing/operator';
import { KubeClient } from '../packages/core/dist/kube/client.js';
import { inParallel } from './in-parallel.js';
import { onControlPlane } from './on-control-plane.js';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 2000);
const MAIN = fileURLToPath(new URL('../samples/test-object/dist/main.js', import.meta.url));
const resource = { group: 'example.kubeop.dev', version: 'v1alpha1', plural: 'testobjects', kind: 'TestObject' };

/** VmRSS and VmHWM (peak) of a process, in MiB, and its CPU seconds so far. */
function footprint(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const [utime, stime] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).map(Number);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024, cpuSeconds: (utime + stime) / 100 };
}

onControlPlane(async (plane) => {
  const client = new KubeClient(plane.kubeConfig);
  try {
    const namespace = await createTestNamespace(plane.kubeConfig, 'bench-footprint');
    const operator = spawnOperator(MAIN, {
      args: ['--create-crd', '--namespace', namespace],
      env: { KUBECONFIG: plane.kubeconfigPath },
    });
    await operator.waitForOutput(/watching testobjects/, 60_000);
    const pid = operator.child.pid;
    // Settled: start-up garbage collected, timers quiet.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idle = footprint(pid);
    console.log(`idle: RSS ${idle.rss.toFixed(0)} MiB (Node ${process.version}, kube-apiserver v1.37.2 on loopback)`);

    const collection = `/apis/${resource.group}/${resource.version}/namespaces/${namespace}/${resource.plural}`;
    const apiVersion = `${resource.group}/${resource.version}`;
    await inParallel(OBJECTS, 16, (i) =>
      client.request('POST', collection, {
        body: { apiVersion, kind: resource.kind, metadata: { name: `storm-${i}` }, spec: { message: 'x'.repeat(200) } },
      }),
    );
    await eventually(
      async () => {
        const list = await client.request('GET', collection);
        return list.items.every((item) => item.status?.state) && list.items.length === OBJECTS;
      },
      'every object handled',
      600_000,
    );
    const stormed = footprint(pid);
    console.log(
      `after a storm of ${OBJECTS} objects: RSS ${stormed.rss.toFixed(0)} MiB, peak ${stormed.peak.toFixed(0)} MiB, ` +
        `${(((stormed.cpuSeconds - idle.cpuSeconds) * 1000) / OBJECTS).toFixed(2)} CPU ms per object (operator process only)`,
    );
    await operator.stop();
  } finally {
    await client.close();
  }
});
