// Hung handlers: a run past its timeout fails and is retried while other objects keep flowing; this.signal
// is aborted on timeout and on shutdown; runs abandoned at shutdown are named.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, HandlerTimeoutError, ResourceHandler } from '@kubeop/core';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { eventOn, objects, operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const resource = { ...testResource, plural: 'slowwidgets', singular: 'slowwidget', kind: 'SlowWidget' };
const calls = new Map<string, number>();
const abortReasons = new Map<string, unknown>();
const count = (name: string) => calls.get(name) ?? 0;

/** Resolves never, or when `signal` aborts if the handler honours it. */
function hang(signal: AbortSignal, honour: boolean): Promise<void> {
  return new Promise((resolve) => {
    if (honour) signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

@CustomResource(resource)
class Slow extends ResourceHandler<{ mode: string }> {
  @OnAdded({ timeout: 1 }) async added(o: CustomObject<{ mode: string }>) {
    const name = o.metadata.name;
    calls.set(name, count(name) + 1);
    this.signal.addEventListener('abort', () => abortReasons.set(name, this.signal.reason), { once: true });
    if (o.spec?.mode === 'hang-once' && count(name) === 1) {
      this.status = { state: 'started' };
      await hang(this.signal, false);
    }
    if (o.spec?.mode === 'hang-always') await hang(this.signal, false);
    this.status = { state: 'done' };
  }
}

/** The same resource without a timeout: only a shutdown ends its runs. */
@CustomResource(resource)
class Patient extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    const name = o.metadata.name;
    calls.set(name, count(name) + 1);
    this.signal.addEventListener('abort', () => abortReasons.set(name, this.signal.reason), { once: true });
    await hang(this.signal, name.startsWith('polite'));
    this.status = { state: 'stopped' };
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Slow] });

describe('a handler past its timeout', () => {
  it('fails, is retried, and does not hold up other objects (--max-concurrent 1)', async () => {
    const running = await runOperator([Slow], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--max-concurrent', '1', '--retry-delay', '0.5'],
    });
    const items = objects(env.kubeConfig, resource, env.namespace);
    await items.create('stuck', { mode: 'hang-once' });
    await eventually(() => count('stuck') === 1, 'the first, hanging run');
    for (const name of ['flow-1', 'flow-2', 'flow-3']) await items.create(name, { mode: 'quick' });

    await eventually(async () => (await items.get('stuck'))?.status?.state === 'done', 'the retried run to finish');
    for (const name of ['flow-1', 'flow-2', 'flow-3']) {
      await eventually(async () => (await items.get(name))?.status?.state === 'done', `${name} handled`);
    }
    expect(count('stuck')).toBe(2);
    expect(abortReasons.get('stuck')).toBeInstanceOf(HandlerTimeoutError);
    expect(running.operator.controllerStats[0]!.handlers.timeouts).toBe(1);

    const timeout = parseLogs(running.logs).find((l) => l.level === 'error' && String(l.message).includes('timed out'));
    expect(timeout).toMatchObject({
      message: expect.stringMatching(
        new RegExp(`^@OnAdded handler for ${env.namespace}/stuck timed out after 1 s \\(attempt 1\\); retrying in`),
      ),
      object: `${env.namespace}/stuck`,
      handler: '@OnAdded',
    });
    expect((await eventOn(env.kubeConfig, env.namespace, 'stuck', 'HandlerTimeout')).type).toBe('Warning');
  });

  it('is retried with backoff while it keeps hanging', async () => {
    const running = await runOperator([Slow], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.2'],
    });
    await objects(env.kubeConfig, resource, env.namespace).create('always-stuck', { mode: 'hang-always' });
    await eventually(() => count('always-stuck') >= 3, 'three timed-out runs', 30_000);
    const attempts = parseLogs(running.logs)
      .filter((l) => l.object === `${env.namespace}/always-stuck` && String(l.message).includes('timed out'))
      .map((l) => l.attempt);
    expect(attempts.slice(0, 2)).toEqual([1, 2]);
  });
});

describe('shutdown', () => {
  it('aborts this.signal of running handlers and names the runs it abandons', async () => {
    // A namespace of its own: the objects of the tests above would hang here too.
    const namespace = await createTestNamespace(env.kubeConfig, 'shutdown');
    const running = await runOperator([Patient], {
      kubeconfigPath: env.kubeconfigPath,
      namespace,
      argv: ['--shutdown-timeout', '0.5'],
    });
    const items = objects(env.kubeConfig, resource, namespace);
    await items.create('polite');
    await items.create('stubborn');
    await eventually(() => count('polite') === 1 && count('stubborn') === 1, 'both runs to start');
    const drained = await running.stop();
    expect(drained).toBe(false);
    expect(String((abortReasons.get('stubborn') as Error)?.message)).toContain('shutting down');
    // The handler that honoured its signal finished its run, status included.
    expect((await items.get('polite'))?.status?.state).toBe('stopped');
    const abandoned = parseLogs(running.logs).filter((l) => String(l.message).startsWith('abandoned at shutdown'));
    expect(abandoned.map((l) => l.object)).toEqual([`${namespace}/stubborn`]);
    expect(String(abandoned[0]!.message)).toContain(`@OnAdded handler for ${namespace}/stubborn`);
  });
});
