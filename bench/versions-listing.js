// Listing at the old version against the storage version, through the conversion webhook of a running operator (the
// versioned-widget sample as a process of its own): p50/p99 of each, the ratio, conversions per second and per call.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KubeClient } from '@kubeop/core/tooling';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { inParallel } from './in-parallel.js';

const OBJECTS = Number(process.env.BENCH_LIST_OBJECTS ?? 1000);
const LISTS = Number(process.env.BENCH_LISTS ?? 30);
const OPERATOR = fileURLToPath(new URL('../samples/versioned-widget/dist/main.js', import.meta.url));
const group = 'samples.kubeop.dev';
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** `label` says how the plane's API server was started. */
export async function listingAtBothVersions(plane, label) {
  const client = new KubeClient(plane.kubeConfig);
  const namespace = await createTestNamespace(plane.kubeConfig, 'bench-versions');
  const operator = spawn(
    process.execPath,
    [
      OPERATOR,
      ...['--namespace', namespace, '--operator-namespace', namespace, '--create-crd'],
      ...['--webhook-bind-address', '127.0.0.1:0', '--metrics-bind-address', '127.0.0.1:0'],
      ...['--health-probe-bind-address', '0'],
    ],
    { env: { PATH: process.env.PATH, KUBECONFIG: plane.kubeconfigPath }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  operator.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => operator.on('exit', resolve));
  const path = (version) => `/apis/${group}/${version}/namespaces/${namespace}/widgets`;
  try {
    await eventually(
      () => {
        if (operator.exitCode !== null) throw new Error(`the versioned-widget operator exited:\n${output}`);
        return /converts through https:/.test(output);
      },
      'the CRD converting through the operator',
      60_000,
    );
    const metricsUrl = /serving metrics on (http:\/\/\S+\/metrics)/.exec(output)?.[1];
    // The API server takes the CRD's new conversion a moment later: wait until a list at v1 answers.
    await eventually(
      () =>
        client.request('GET', path('v1')).then(
          () => true,
          () => false,
        ),
      'a list at v1',
      60_000,
    );

    await inParallel(OBJECTS, 16, (i) =>
      client.request('POST', path('v2'), {
        body: {
          apiVersion: `${group}/v2`,
          kind: 'Widget',
          metadata: { name: `w${i}`, labels: { app: 'bench' } },
          spec: {
            owner: { first: 'Ada', last: `Lovelace ${i}` },
            replicas: i % 100,
            ...(i % 2 ? { color: 'blue' } : {}),
          },
        },
      }),
    );
    // Every widget handled and its status written, so the operator is idle while the lists run.
    await eventually(
      async () =>
        (await client.request('GET', path('v2'))).items.filter((w) => w.status?.state === 'ready').length === OBJECTS,
      `all ${OBJECTS} widgets ready`,
      300_000,
    );

    const list = async (version) => {
      const started = performance.now();
      const answer = await client.request('GET', path(version));
      const ms = performance.now() - started;
      // v1's owner is a string, v2's an object: the spec proves the conversion, not just the apiVersion.
      const owner = version === 'v1' ? 'string' : 'object';
      if (
        answer.items.length !== OBJECTS ||
        answer.items.some((w) => w.apiVersion !== `${group}/${version}` || typeof w.spec.owner !== owner)
      )
        throw new Error(
          `a list at ${version} gave ${answer.items.length} items, not ${OBJECTS} converted to ${version}`,
        );
      return ms;
    };
    const written = await webhookCalls(metricsUrl);
    // Warm both paths.
    for (let i = 0; i < 3; i++) {
      await list('v2');
      await list('v1');
    }
    const times = { v2: [], v1: [] };
    let cpu = 0;
    const before = await webhookCalls(metricsUrl);
    // Interleaved, so the machine's other load falls on both alike.
    for (let i = 0; i < LISTS; i++) {
      times.v2.push(await list('v2'));
      const cpuBefore = cpuMs(operator.pid);
      times.v1.push(await list('v1'));
      cpu += cpuMs(operator.pid) - cpuBefore;
    }
    const after = await webhookCalls(metricsUrl);

    const v2 = percentiles(times.v2);
    const v1 = percentiles(times.v1);
    const calls = (after.count - before.count) / LISTS;
    const v1Seconds = times.v1.reduce((a, b) => a + b, 0) / 1000;
    const say = (line) => console.log(`  ${line}`);
    console.log(
      `listing ${OBJECTS.toLocaleString('en')} widgets ${LISTS} times at each version (${label}; the operator's webhook on 127.0.0.1):`,
    );
    say(`at v2 (storage):  p50 ${v2.p50.toFixed(1)} ms, p99 ${v2.p99.toFixed(1)} ms`);
    say(`at v1 (old):      p50 ${v1.p50.toFixed(1)} ms, p99 ${v1.p99.toFixed(1)} ms`);
    say(`ratio v1/v2:      p50 ${(v1.p50 / v2.p50).toFixed(2)}x, p99 ${(v1.p99 / v2.p99).toFixed(2)}x`);
    say(`webhook calls while the widgets were created and handled: ${written.count.toLocaleString('en')}`);
    if (calls === 0) say('webhook calls per list at v1: 0 (served from the v1 watch cache, converted when written)');
    else
      say(
        `conversions through the API server: ${Math.round((OBJECTS * LISTS) / v1Seconds).toLocaleString('en')} ` +
          `objects/s (objects / list time at v1); ${calls.toFixed(0)} webhook calls per list, ` +
          `${(((after.sum - before.sum) / (after.count - before.count)) * 1000).toFixed(2)} ms each in the operator, ` +
          `operator CPU ${(cpu / LISTS).toFixed(0)} ms per list`,
      );
  } finally {
    operator.kill('SIGTERM');
    await exited;
    await client.close();
  }
}

function percentiles(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p99: at(0.99) };
}

/** Calls to the conversion path so far, and the seconds they took, from the operator's webhook metrics. */
async function webhookCalls(url) {
  const text = await (await fetch(url)).text();
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.includes('webhook="/convert/')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('controller_runtime_webhook_latency_seconds_count')) count += value;
    else if (line.startsWith('controller_runtime_webhook_latency_seconds_sum')) sum += value;
  }
  return { count, sum };
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
