// Admission webhook figures through a real kube-apiserver: dry-run creates at a fixed rate without and with the
// operator's webhooks (a validation and a default), p50/p99 latency as a client sees it, the most admissions per
// second 16 clients get, the webhook's own latency (its histogram) and the operator's CPU per admission.
// Run: npm run bench:webhook   (BENCH_WEBHOOK_RATE=50 per second, BENCH_WEBHOOK_SECONDS=10). Prints figures.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeHandlerClass, ensureCrd, KubeClient, loadKubeConfig } from '@kubeop/core/tooling';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { onControlPlane } from './on-control-plane.js';
import { Gauges } from './webhook-handler.js';

const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
const CLIENTS = 16;
const OPERATOR = fileURLToPath(new URL('./webhook-operator.js', import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux

onControlPlane(async (plane) => {
  const kubeConfig = loadKubeConfig({ kubeconfig: plane.kubeconfigPath, env: {} });
  const client = new KubeClient(kubeConfig);
  const resource = describeHandlerClass(Gauges).resource;
  await ensureCrd(client, resource);
  const namespace = await createTestNamespace(kubeConfig, 'bench-webhook');
  const path = `/apis/${resource.group}/${resource.version}/namespaces/${namespace}/${resource.plural}`;
  let serial = 0;
  const create = async () => {
    const started = performance.now();
    await client.request('POST', path, {
      query: { dryRun: 'All' },
      body: {
        apiVersion: `${resource.group}/v1`,
        kind: 'Gauge',
        metadata: { name: `g-${serial++}` },
        spec: { size: 1 },
      },
    });
    return performance.now() - started;
  };

  const lines = [];
  const say = (line) => (console.log(line), lines.push(line));
  say(
    `webhook bench: dry-run creates through kube-apiserver ${plane.server}, ${RATE}/s for ${SECONDS} s, then ${CLIENTS} clients for ${SECONDS} s`,
  );
  for (let i = 0; i < 50; i++) await create(); // warm the API server's paths
  const without = await fixedRate(create);
  const withoutMax = await saturated(create);

  const operator = spawn(
    process.execPath,
    [
      OPERATOR,
      ...['--namespace', namespace, '--operator-namespace', namespace, '--install-webhooks'],
      ...['--webhook-bind-address', '127.0.0.1:0', '--metrics-bind-address', '127.0.0.1:0'],
      ...['--health-probe-bind-address', '0'],
    ],
    {
      env: { PATH: process.env.PATH, KUBECONFIG: plane.kubeconfigPath },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let output = '';
  operator.stderr.on('data', (chunk) => (output += chunk));
  try {
    await eventually(() => /applied MutatingWebhookConfiguration/.test(output), 'the webhooks registered', 60_000);
    const metricsUrl = /serving metrics on (http:\/\/\S+\/metrics)/.exec(output)?.[1];
    // The API server notices a new configuration within a second or so: wait until a create goes through the webhook.
    await eventually(
      async () => (await create(), (await histogram(metricsUrl)).count > 0),
      'the first admission',
      30_000,
    );
    for (let i = 0; i < 50; i++) await create();
    const before = await histogram(metricsUrl);
    const cpuBefore = cpuMs(operator.pid);
    const withWebhook = await fixedRate(create);
    const cpuAfter = cpuMs(operator.pid);
    const after = await histogram(metricsUrl);
    const withMax = await saturated(create);
    const admissions = after.count - before.count;

    say('');
    say('                     admissions/s   p50 ms   p99 ms   most admissions/s (16 clients)');
    say(row('without webhook', without, withoutMax));
    say(row('with webhooks', withWebhook, withMax));
    say('');
    say(
      `webhook's own latency (validate + mutate, ${admissions} calls): mean ${(((after.sum - before.sum) / admissions) * 1000).toFixed(2)} ms, ` +
        `p50 <= ${quantile(before, after, 0.5)} ms, p99 <= ${quantile(before, after, 0.99)} ms (histogram buckets)`,
    );
    say(
      `operator CPU: ${((cpuAfter - cpuBefore) / admissions).toFixed(3)} ms per webhook call (${admissions} calls, two per create)`,
    );
  } finally {
    operator.kill('SIGTERM');
    await client.close();
  }

  function row(label, fixed, max) {
    return `${label.padEnd(20)} ${fixed.rate.toFixed(1).padStart(13)} ${fixed.p50.toFixed(1).padStart(8)} ${fixed.p99.toFixed(1).padStart(8)}   ${max.toFixed(1).padStart(8)}`;
  }
});

/** Open loop: request i starts at i / RATE s whatever the others do, as a steady client population would. */
async function fixedRate(create) {
  const total = RATE * SECONDS;
  const started = performance.now();
  const latencies = [];
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(create().then((ms) => latencies.push(ms)));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rate: total / elapsed, p50: at(0.5), p99: at(0.99) };
}

/** Closed loop: CLIENTS clients, each creating as fast as its answers come, for SECONDS. */
async function saturated(create) {
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        await create();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function histogram(url) {
  const text = await (await fetch(url)).text();
  const buckets = new Map();
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('controller_runtime_webhook_latency_seconds')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (line.includes('_bucket')) buckets.set(le, (buckets.get(le) ?? 0) + value);
    else if (line.includes('_sum')) sum += value;
    else if (line.includes('_count')) count += value;
  }
  return { buckets, sum, count };
}

/** The upper bound (ms) of the first bucket holding the q-quantile of the calls between two scrapes. */
function quantile(before, after, q) {
  const total = after.count - before.count;
  for (const [le, cumulative] of after.buckets) {
    if (cumulative - (before.buckets.get(le) ?? 0) >= q * total) return le === '+Inf' ? '+Inf' : Number(le) * 1000;
  }
  return '+Inf';
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
