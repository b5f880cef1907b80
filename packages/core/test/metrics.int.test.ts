// /metrics counts a known workload truly; /healthz and /readyz answer as the kubelet needs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnReconcile, Owns } from '@kubeop/decorators';
import { type CustomObject, PermanentError, ResourceHandler } from '@kubeop/core';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { objects, operatorSuite, type RunningOperator, runOperator } from './support/operator.js';
import { serviceAccountKubeconfig } from './support/service-account.js';
import { testResource } from './support/test-resource.js';

const resource = { ...testResource, plural: 'meteredwidgets', singular: 'meteredwidget', kind: 'MeteredWidget' };
const CONTROLLER = `meteredwidgets.${testResource.group}`;
const calls = new Map<string, number>();

@CustomResource(resource)
class Metered extends ResourceHandler<{ mode?: string }> {
  @OnAdded() async added(o: CustomObject<{ mode?: string }>) {
    const n = (calls.get(o.metadata.name) ?? 0) + 1;
    calls.set(o.metadata.name, n);
    if (o.spec?.mode === 'flaky' && n <= 2) throw new Error('not yet');
    if (o.spec?.mode === 'permanent') throw new PermanentError('never');
    this.status = { state: 'done' };
  }
}

const SERVERS = ['--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0'];

/** The URL a server announced in the operator's log. */
function served(running: RunningOperator, what: 'metrics' | 'probes'): string {
  const match = new RegExp(`serving ${what} on (http://[^/ ]+)`).exec(running.logText());
  if (!match) throw new Error(`no ${what} server in the log`);
  return match[1]!;
}

/** The value of one series, e.g. sample(text, 'workqueue_retries_total', { name: 'x' }). */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const body = line.slice(metric.length + 1, line.lastIndexOf('}'));
    const found = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const ownerResource = { ...testResource, plural: 'meteredowners', singular: 'meteredowner', kind: 'MeteredOwner' };
const OWNER = `meteredowners.${testResource.group}`;
const requeued = new Set<string>();

/** Owns ConfigMaps; asks once per object to run again at once (requeueAfter(0)) or after a delay. */
@CustomResource(ownerResource)
@Owns({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' })
class MeteredOwner extends ResourceHandler<{ requeue?: number }> {
  @OnReconcile() async reconcile(o: CustomObject<{ requeue?: number }>) {
    await this.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: o.metadata.name }, data: { a: '1' } });
    if (o.spec?.requeue !== undefined && !requeued.has(o.metadata.name)) {
      requeued.add(o.metadata.name);
      this.requeueAfter(o.spec.requeue);
    }
    this.status = { state: 'done' };
  }
}

const heldResource = { ...testResource, plural: 'heldwidgets', singular: 'heldwidget', kind: 'HeldWidget' };
let release: () => void = () => undefined;
const released = new Promise<void>((resolve) => (release = resolve));

/** Its handler runs until the test releases it. */
@CustomResource(heldResource)
class Held extends ResourceHandler {
  @OnAdded() async added() {
    await released;
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Metered, MeteredOwner, Held] });

describe('/metrics', () => {
  it('counts reconciles, handler runs, retries, status writes and watch events of a known workload', async () => {
    const running = await runOperator([Metered], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: [...SERVERS, '--retry-delay', '0.1'],
    });
    const items = objects(env.kubeConfig, resource, env.namespace);
    for (const name of ['ok-1', 'ok-2', 'ok-3', 'ok-4', 'ok-5']) await items.create(name);
    await items.create('flaky', { mode: 'flaky' });
    await items.create('permanent', { mode: 'permanent' });
    await eventually(async () => (await items.get('flaky'))?.status?.state === 'done', 'the flaky object to succeed');
    await eventually(
      () => calls.get('permanent') === 1 && running.operator.controllerStats[0]!.handlers.running === 0,
      'the permanent failure',
    );

    const url = `${served(running, 'metrics')}/metrics`;
    const scrape = async () => {
      const response = await fetch(url);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
    const c = { controller: CONTROLLER };
    // Status writes are seen as MODIFIED events, after the runs: wait until all six arrived.
    const text = await eventually(async () => {
      const t = await scrape();
      return (sample(t, 'kubeop_watch_events_total', { ...c, type: 'MODIFIED' }) ?? 0) >= 6 ? t : undefined;
    }, 'the MODIFIED events of the six status writes');
    expect(sample(text, 'controller_runtime_reconcile_total', { ...c, result: 'success' })).toBe(6);
    expect(sample(text, 'controller_runtime_reconcile_total', { ...c, result: 'error' })).toBe(3);
    expect(sample(text, 'controller_runtime_reconcile_errors_total', c)).toBe(3);
    expect(sample(text, 'controller_runtime_terminal_reconcile_errors_total', c)).toBe(1);
    expect(sample(text, 'kubeop_handler_runs_total', { ...c, handler: '@OnAdded', outcome: 'success' })).toBe(6);
    expect(sample(text, 'kubeop_handler_runs_total', { ...c, handler: '@OnAdded', outcome: 'error' })).toBe(2);
    expect(sample(text, 'kubeop_handler_runs_total', { ...c, handler: '@OnAdded', outcome: 'permanent' })).toBe(1);
    expect(sample(text, 'workqueue_retries_total', { name: CONTROLLER })).toBe(2);
    expect(sample(text, 'workqueue_adds_total', { name: CONTROLLER })).toBe(9);
    expect(sample(text, 'kubeop_status_writes_total', c)).toBe(6);
    expect(sample(text, 'kubeop_watch_events_total', { ...c, type: 'ADDED' })).toBe(7);
    expect(sample(text, 'kubeop_cache_objects', c)).toBe(7);
    expect(sample(text, 'controller_runtime_max_concurrent_reconciles', c)).toBe(10);
    expect(sample(text, 'controller_runtime_active_workers', c)).toBe(0);
    expect(sample(text, 'workqueue_depth', { name: CONTROLLER })).toBe(0);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });
});

describe('/metrics while a handler runs', () => {
  it('shows the run as an active worker and unfinished work, and neither once it ended', async () => {
    const running = await runOperator([Held], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: SERVERS,
    });
    const c = { controller: `heldwidgets.${testResource.group}` };
    const url = `${served(running, 'metrics')}/metrics`;
    await objects(env.kubeConfig, heldResource, env.namespace).create('held');
    await eventually(async () => {
      const t = await (await fetch(url)).text();
      return (
        sample(t, 'controller_runtime_active_workers', c) === 1 &&
        (sample(t, 'workqueue_unfinished_work_seconds', { name: c.controller }) ?? 0) > 0
      );
    }, 'one active worker with unfinished work');
    release();
    await eventually(async () => {
      const t = await (await fetch(url)).text();
      return (
        sample(t, 'controller_runtime_active_workers', c) === 0 &&
        sample(t, 'workqueue_unfinished_work_seconds', { name: c.controller }) === 0
      );
    }, 'no active worker once the run ended');
  });
});

describe("/metrics with controller-runtime's meanings", () => {
  it('counts API requests (rest_client_*), owned types as watches only, and requeue only when a handler asks', async () => {
    const running = await runOperator([MeteredOwner], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: SERVERS,
    });
    const items = objects(env.kubeConfig, ownerResource, env.namespace);
    await items.create('plain');
    await items.create('at-once', { requeue: 0 });
    await items.create('later', { requeue: 0.2 });
    const url = `${served(running, 'metrics')}/metrics`;
    const c = { controller: OWNER };
    // Each object handled, and both asked-for runs done: at most one requeue each is ever asked for.
    const text = await eventually(async () => {
      const t = await (await fetch(url)).text();
      const asked = ['requeue', 'requeue_after'].every(
        (result) => (sample(t, 'controller_runtime_reconcile_total', { ...c, result }) ?? 0) >= 1,
      );
      const done = await Promise.all(['plain', 'at-once', 'later'].map(async (n) => (await items.get(n))?.status));
      return asked && done.every((status) => status?.state === 'done') ? t : undefined;
    }, 'the runs of the three objects');
    expect(sample(text, 'controller_runtime_reconcile_total', { ...c, result: 'requeue' })).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_total', { ...c, result: 'requeue_after' })).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_total', { ...c, result: 'error' })).toBe(0);

    // The owned ConfigMaps are watched, not reconciled: watch series, and no controller or work-queue series.
    expect(
      sample(text, 'kubeop_watch_events_total', { controller: 'configmaps', type: 'ADDED' }),
    ).toBeGreaterThanOrEqual(3);
    const asController = text
      .split('\n')
      .filter((line) => /^(controller_runtime|workqueue)_/.test(line) && line.includes('"configmaps"'));
    expect(asController).toEqual([]);

    // Every request to the API server, as client-go counts them: by code, method and host.
    const host = new URL(env.kubeConfig.getCurrentCluster()!.server).host;
    expect(sample(text, 'rest_client_requests_total', { code: '200', method: 'GET', host })).toBeGreaterThan(0);
    expect(sample(text, 'rest_client_requests_total', { code: '200', method: 'PATCH', host })).toBeGreaterThanOrEqual(
      6,
    );
    expect(sample(text, 'rest_client_request_duration_seconds_count', { verb: 'PATCH', host })).toBeGreaterThanOrEqual(
      6,
    );
  });
});

describe('/healthz and /readyz', () => {
  it('are 200 once every resource was listed', async () => {
    const running = await runOperator([Metered], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: SERVERS,
    });
    const probes = served(running, 'probes');
    expect((await fetch(`${probes}/healthz`)).status).toBe(200);
    const ready = await fetch(`${probes}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toContain('[+]synced ok');
  });

  it('make /readyz 503 while a resource was never listed, /healthz staying 200', async () => {
    // An account that may not list the resource: the first list never completes.
    const namespace = await createTestNamespace(env.kubeConfig, 'unready');
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, namespace, 'nobody');
    const running = await runOperator([Metered], { kubeconfigPath, namespace, argv: SERVERS, waitSynced: false });
    const probes = served(running, 'probes');
    const ready = await fetch(`${probes}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain(`[-]synced failed: not listed yet: ${CONTROLLER}`);
    expect((await fetch(`${probes}/healthz`)).status).toBe(200);
  });
});
