import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnModified } from '@kubeop/decorators';
import { type CustomObject, PermanentError, ResourceHandler, TemporaryError } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { eventOn, eventsOn, objects, operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const callTimes = new Map<string, number[]>();

@CustomResource(testResource)
class Flaky extends ResourceHandler<{ mode: string; failures?: number }> {
  @OnAdded() async added(o: CustomObject<{ mode: string; failures?: number }>) {
    const times = callTimes.get(o.metadata.name) ?? [];
    times.push(Date.now());
    callTimes.set(o.metadata.name, times);
    const { mode, failures = 0 } = o.spec!;
    if (mode === 'flaky' && times.length <= failures) throw new Error(`failure ${times.length}`);
    if (mode === 'permanent') throw new PermanentError('this input can never work');
    if (mode === 'temporary' && times.length === 1) throw new TemporaryError('not yet', 1.5);
    if (mode === 'requeue' && times.length < 3) {
      this.requeueAfter(0.3);
      return;
    }
    if (mode === 'same' && times.length <= failures) throw new Error('the backend is unavailable');
    if (mode === 'provision-then-fail' && times.length === 1) {
      this.status = { state: 'provisioning' };
      throw new Error('provisioning failed half-way');
    }
    if (mode === 'provision-then-requeue' && times.length === 1) {
      await this.setStatus({ state: 'provisioning' });
      this.requeueAfter(0.2);
      return;
    }
    this.status = { state: 'done', calls: times.length } as Record<string, unknown>;
  }

  @OnModified() async modified(o: CustomObject<{ mode: string }>) {
    const key = `${o.metadata.name}@modified`;
    const times = callTimes.get(key) ?? [];
    times.push(Date.now());
    callTimes.set(key, times);
    if (times.length === 1) {
      this.status = { state: 'updating' };
      throw new Error('update failed half-way');
    }
    this.status = { state: 'updated', calls: times.length } as Record<string, unknown>;
  }
}

const calls = (name: string) => callTimes.get(name)?.length ?? 0;
const gaps = (name: string) => (callTimes.get(name) ?? []).slice(1).map((t, i) => t - callTimes.get(name)![i]!);

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Flaky] });

describe('retries', () => {
  it('retries a failing handler with growing delays until it succeeds', async () => {
    const running = await runOperator([Flaky], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.2'],
    });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('flaky', { mode: 'flaky', failures: 3 });
    await eventually(async () => (await items.get('flaky'))?.status?.state === 'done', 'success on the fourth call');
    expect(calls('flaky')).toBe(4);
    const [first, second, third] = gaps('flaky') as [number, number, number];
    // Base 200 ms doubling, jitter takes off at most 10 %; timers may fire a few ms early by Date.now().
    // Lower bounds only: on a busy machine a gap may run long, never short.
    expect(first).toBeGreaterThanOrEqual(175);
    expect(second).toBeGreaterThanOrEqual(355);
    expect(third).toBeGreaterThanOrEqual(715);
    const attempts = parseLogs(running.logs)
      .filter((l) => l.object === `${env.namespace}/flaky` && l.level === 'error')
      .map((l) => l.attempt);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('does not retry a PermanentError, and records it as a Warning event', async () => {
    const running = await runOperator([Flaky], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('permanent', { mode: 'permanent' });
    const event = await eventOn(env.kubeConfig, env.namespace, 'permanent', 'PermanentFailure');
    expect(event.type).toBe('Warning');
    expect(event.message).toContain('this input can never work');
    expect(running.logText()).toContain('failed permanently, not retrying');
    // A retry would come 100 ms after the failure; give it twenty times that to show up, and it must not.
    await expect(eventually(() => calls('permanent') > 1, 'a retry', 2_000)).rejects.toThrow('timed out');
    expect(calls('permanent')).toBe(1);
  });

  it('waits the delay a TemporaryError asks for', async () => {
    await runOperator([Flaky], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.05'],
    });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('temporary', { mode: 'temporary' });
    await eventually(() => calls('temporary') === 2, 'the retry', 10_000);
    expect(gaps('temporary')[0]).toBeGreaterThanOrEqual(1_495);
  });

  it('calls a handler again when it asks with requeueAfter', async () => {
    await runOperator([Flaky], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('requeue', { mode: 'requeue' });
    await eventually(async () => (await items.get('requeue'))?.status?.state === 'done', 'the third call');
    expect(calls('requeue')).toBe(3);
    // Timers may fire a millisecond early as measured by Date.now().
    for (const gap of gaps('requeue')) expect(gap).toBeGreaterThanOrEqual(295);
  });
});

describe('a run that failed or asked for a requeue after writing status.state', () => {
  it('is called again: the state rule does not filter retries', async () => {
    await runOperator([Flaky], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('half-done', { mode: 'provision-then-fail' });
    const done = await eventually(async () => {
      const o = await items.get('half-done');
      return o?.status?.state === 'done' ? o : undefined;
    }, 'the status of the successful second run');
    expect(done.status).toEqual({ state: 'done', calls: 2 });
    expect(calls('half-done')).toBe(2);
  });

  it('is called again after requeueAfter', async () => {
    await runOperator([Flaky], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('requeued', { mode: 'provision-then-requeue' });
    await eventually(async () => (await items.get('requeued'))?.status?.state === 'done', 'the requeued run');
    expect(calls('requeued')).toBe(2);
  });

  it('holds for @OnModified too', async () => {
    await runOperator([Flaky], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('changing', { mode: 'plain' });
    await eventually(async () => (await items.get('changing'))?.status?.state === 'done', 'the first run');
    await items.patchSpec('changing', { mode: 'changed' });
    const updated = await eventually(async () => {
      const o = await items.get('changing');
      return o?.status?.state === 'updated' ? o : undefined;
    }, 'the status of the retried @OnModified');
    expect(updated.status).toMatchObject({ calls: 2 });
  });
});

describe('Warning Events of failures', () => {
  it('count repeats of the same failure on one Event', async () => {
    await runOperator([Flaky], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('same', { mode: 'same', failures: 3 });
    await eventually(async () => (await items.get('same'))?.status?.state === 'done', 'success on the fourth call');
    const failures = await eventually(async () => {
      const found = (await eventsOn(env.kubeConfig, env.namespace, 'same')).filter((e) => e.reason === 'HandlerFailed');
      return found.length === 1 && found[0]!.count === 3 ? found : undefined;
    }, 'one HandlerFailed Event with count 3');
    expect(failures[0]).toMatchObject({
      type: 'Warning',
      message: expect.stringContaining('the backend is unavailable'),
    });
  });
});
