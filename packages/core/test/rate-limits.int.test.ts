// Rate limits on the real control plane: a class's rateLimit spaces one object's runs and still runs its latest
// state; --kube-api-qps throttles the operator's requests, counts them in /metrics, and every object is handled.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnReconcile } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { objects, operatorSuite, type RunningOperator, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const WINDOW_SECONDS = 5;
const TOLERANCE_MS = 500;
const limited = { ...testResource, plural: 'pacedwidgets', singular: 'pacedwidget', kind: 'PacedWidget' };
const LIMITED = `pacedwidgets.${testResource.group}`;
/** Each run of a PacedWidget: when it started (ms) and the spec value it saw. */
const runs: Array<{ name: string; at: number; value: number }> = [];

@CustomResource({ ...limited, rateLimit: { runs: 1, perSeconds: WINDOW_SECONDS } })
class Paced extends ResourceHandler<{ value?: number }> {
  @OnReconcile() reconcile(o: CustomObject<{ value?: number }>) {
    runs.push({ name: o.metadata.name, at: performance.now(), value: o.spec?.value ?? 0 });
  }
}

const throttled = { ...testResource, plural: 'throttledwidgets', singular: 'throttledwidget', kind: 'ThrottledWidget' };

@CustomResource(throttled)
class Throttled extends ResourceHandler {
  @OnAdded() added() {
    this.status = { state: 'done' };
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Paced, Throttled] });
const SERVERS = ['--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '0'];

async function scrape(running: RunningOperator): Promise<string> {
  const match = /serving metrics on (http:\/\/[^/ ]+)/.exec(running.logText());
  if (!match) throw new Error('no metrics server in the log');
  return (await fetch(`${match[1]}/metrics`)).text();
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(text: string, metric: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('rateLimit on a class', () => {
  it("spaces one object's runs by the window, delays rather than drops, and runs the latest state", async () => {
    const running = await runOperator([Paced], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: [...SERVERS, '--log-level', 'debug'],
    });
    const items = objects(env.kubeConfig, limited, env.namespace);
    await items.create('paced', { value: 0 });
    await eventually(() => runs.some((r) => r.name === 'paced'), 'the first run');
    // Five changes, faster than one window: the first waits out the window, the rest join it.
    for (let value = 1; value <= 5; value++) await items.patchSpec('paced', { value });
    await eventually(() => runs.some((r) => r.name === 'paced' && r.value === 5), 'a run that saw the last change');

    const starts = runs.filter((r) => r.name === 'paced').map((r) => r.at);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    // The window is counted from the moment a run was let through; the handler starts a little after, by a time that
    // varies on a busy machine: half a second of tolerance (unlimited, the runs would be milliseconds apart). No upper
    // bound.
    for (let i = 1; i < starts.length; i++)
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000 - TOLERANCE_MS);

    const text = await scrape(running);
    expect(total(text, 'kubeop_rate_limited_runs_total', { controller: LIMITED })).toBeGreaterThanOrEqual(1);
    expect(running.logText()).toMatch(/delayed @OnReconcile for .*paced by \d+\.\ds: rateLimit of 1 run\(s\) per 5s/);
  });

  it('limits each object on its own: objects that start together are not held back by one another', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'paced-apart');
    const running = await runOperator([Paced], {
      kubeconfigPath: env.kubeconfigPath,
      namespace,
      argv: [...SERVERS, '--log-level', 'debug'],
    });
    const items = objects(env.kubeConfig, limited, namespace);
    const names = ['apart-1', 'apart-2', 'apart-3'];
    for (const name of names) await items.create(name);
    await eventually(() => names.every((n) => runs.some((r) => r.name === n)), 'a run of every object');
    // A first run has nothing in its window: a limit per class (not per object) would have delayed two of them.
    expect(running.logText()).not.toContain('delayed @OnReconcile');
    expect(total(await scrape(running), 'kubeop_rate_limited_runs_total', { controller: LIMITED })).toBe(0);
  });
});

describe('--kube-api-qps', () => {
  it('throttles requests to the API server, counts them in /metrics, and still handles every object', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'throttled');
    const items = objects(env.kubeConfig, throttled, namespace);
    const names = Array.from({ length: 6 }, (_, i) => `throttled-${i}`);
    for (const name of names) await items.create(name);
    const running = await runOperator([Throttled], {
      kubeconfigPath: env.kubeconfigPath,
      namespace,
      argv: [...SERVERS, '--kube-api-qps', '4', '--kube-api-burst', '1'],
    });
    for (const name of names)
      await items.waitFor(name, (o) => o.status?.state === 'done', `${name} to be handled`, 120_000);

    const text = await scrape(running);
    // Start-up (the CRD check, the list, the watch) and six status writes, one request at a time at 4 a second.
    expect(total(text, 'kubeop_api_throttled_requests_total')).toBeGreaterThan(0);
    expect(total(text, 'kubeop_api_throttled_requests_total', { verb: 'PATCH' })).toBeGreaterThan(0);
    expect(total(text, 'rest_client_rate_limiter_duration_seconds_count')).toBeGreaterThanOrEqual(
      total(text, 'kubeop_api_throttled_requests_total'),
    );
    // Every request goes through the bucket before it is sent (and counted when its answer comes).
    expect(total(text, 'rest_client_rate_limiter_duration_seconds_count')).toBeGreaterThanOrEqual(
      total(text, 'rest_client_requests_total'),
    );
  });

  it('is off by default: no request waits and the rate limiter series are absent', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'unthrottled');
    const items = objects(env.kubeConfig, throttled, namespace);
    await items.create('free');
    const running = await runOperator([Throttled], { kubeconfigPath: env.kubeconfigPath, namespace, argv: SERVERS });
    await items.waitFor('free', (o) => o.status?.state === 'done');
    const text = await scrape(running);
    expect(total(text, 'rest_client_requests_total')).toBeGreaterThan(0);
    expect(text).not.toContain('rest_client_rate_limiter_duration_seconds');
    expect(text).not.toContain('kubeop_api_throttled_requests_total');
  });
});
