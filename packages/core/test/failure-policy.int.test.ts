// The failure policy on the real control plane: thrown values of any type, a backoff that timer ticks do not cut
// short, and failures no retry can fix (a child that cannot be owned, a status too large to store).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnReconcile, OnTimer } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { eventsOn, objects, operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

interface Spec {
  mode: 'undefined' | 'object' | 'failing' | 'cross-namespace' | 'cluster-scoped' | 'huge' | 'fine';
}

const calls = new Map<string, number>();
const record = (name: string) => {
  calls.set(name, (calls.get(name) ?? 0) + 1);
  return calls.get(name)!;
};
const count = (name: string) => calls.get(name) ?? 0;

@CustomResource(testResource)
class Runs extends ResourceHandler<Spec> {
  @OnReconcile() async reconcile(o: CustomObject<Spec>) {
    const n = record(o.metadata.name);
    switch (o.spec!.mode) {
      case 'undefined':
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a user did
        if (n === 1) throw undefined;
        break;
      case 'object':
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a user did
        if (n === 1) throw { code: 42 };
        break;
      case 'failing':
        throw new Error('the backend is down');
      case 'cross-namespace':
        await this.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'elsewhere' } });
        break;
      case 'cluster-scoped':
        await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${o.metadata.name}-ns` } });
        break;
      case 'huge':
        await this.setStatus({ state: 'huge', blob: 'x'.repeat(2_000_000) });
        return;
      case 'fine':
        break;
    }
    await this.setStatus({ state: 'done', calls: n });
  }

  @OnTimer({ interval: 0.3 }) tick(o: CustomObject<Spec>) {
    record(`${o.metadata.name}@tick`);
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Runs] });
const items = () => objects<Spec>(env.kubeConfig, testResource, env.namespace);
const reasonsOn = async (name: string) => (await eventsOn(env.kubeConfig, env.namespace, name)).map((e) => e.reason);

describe('a handler that throws something other than an Error', () => {
  it('fails when it throws undefined: logged, a Warning, retried', async () => {
    const running = await runOperator([Runs], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    await items().create('thrown-undefined', { mode: 'undefined' });
    await eventually(async () => (await items().get('thrown-undefined'))?.status?.state === 'done', 'the retry');
    expect(count('thrown-undefined')).toBe(2);
    const failed = parseLogs(running.logs).filter(
      (l) => l.object === `${env.namespace}/thrown-undefined` && l.level === 'error',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ attempt: 1, handler: '@OnReconcile' });
    expect(failed[0]!.message).toContain('undefined');
    await eventually(async () => (await reasonsOn('thrown-undefined')).includes('HandlerFailed'), 'the Warning');
  });

  it('shows a thrown object as its JSON', async () => {
    const running = await runOperator([Runs], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    await items().create('thrown-object', { mode: 'object' });
    await eventually(async () => (await items().get('thrown-object'))?.status?.state === 'done', 'the retry');
    const failed = parseLogs(running.logs).find(
      (l) => l.object === `${env.namespace}/thrown-object` && l.level === 'error',
    );
    expect(failed?.message).toContain('{"code":42}');
    expect(failed?.message).not.toContain('[object Object]');
  });
});

describe('a failing handler in backoff', () => {
  it('is not run again by timer ticks, while the timer method gets its own runs', async () => {
    const running = await runOperator([Runs], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      // The first retry is due after at least 54 s: every run before that would be a tick skipping the backoff.
      argv: ['--retry-delay', '60', '--retry-max-delay', '120'],
    });
    await items().create('in-backoff', { mode: 'failing' });
    await eventually(() => count('in-backoff@tick') >= 4, 'four runs of the timer method');
    expect(count('in-backoff')).toBe(1);
    const failed = parseLogs(running.logs).filter(
      (l) => l.object === `${env.namespace}/in-backoff` && l.level === 'error',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!.retryInSeconds).toBeGreaterThanOrEqual(54);
  });
});

describe('a failure no retry can fix', () => {
  it.each([
    ['cross-namespace', 'owner references cannot cross namespaces'],
    ['cluster-scoped', 'a cluster-scoped object cannot be owned by the namespaced'],
  ] as const)(
    'of this.apply (%s) is reported once as permanent, and runs again only when the object changes',
    async (mode, says) => {
      const name = `child-${mode}`;
      const running = await runOperator([Runs], {
        kubeconfigPath: env.kubeconfigPath,
        namespace: env.namespace,
        argv: ['--retry-delay', '0.05', '--retry-max-delay', '0.1'],
      });
      await items().create(name, { mode });
      const events = await eventually(async () => {
        const found = (await eventsOn(env.kubeConfig, env.namespace, name)).filter((e) => e.reason === 'InvalidChild');
        return found.length ? found : undefined;
      }, 'the InvalidChild Warning');
      expect(events[0]!.message).toContain(says);
      // The change is the next news: with retries, more runs would have come long before (at 0.05 s to 0.1 s).
      await items().patchSpec(name, { mode: 'fine' });
      await eventually(async () => (await items().get(name))?.status?.state === 'done', 'the run after the change');
      expect(count(name)).toBe(2);
      const failed = parseLogs(running.logs).filter(
        (l) => l.object === `${env.namespace}/${name}` && l.level === 'error',
      );
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ permanent: true });
      expect(
        (await eventsOn(env.kubeConfig, env.namespace, name)).filter((e) => e.reason === 'InvalidChild')[0]!.count,
      ).toBe(1);
    },
  );

  it('of a status too large to store is reported at once with its size and the limit, and not retried', async () => {
    const running = await runOperator([Runs], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.05', '--retry-max-delay', '0.1'],
    });
    await items().create('huge-status', { mode: 'huge' });
    const event = await eventually(async () => {
      const found = (await eventsOn(env.kubeConfig, env.namespace, 'huge-status')).find(
        (e) => e.reason === 'StatusTooLarge',
      );
      return found;
    }, 'the StatusTooLarge Warning');
    expect(event.type).toBe('Warning');
    const failed = parseLogs(running.logs).filter(
      (l) => l.object === `${env.namespace}/huge-status` && l.level === 'error',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!.bytes).toBeGreaterThan(2_000_000);
    expect(failed[0]!.limitBytes).toBeGreaterThan(0);
    expect(failed[0]!.message).toContain(String(failed[0]!.limitBytes));
    await items().patchSpec('huge-status', { mode: 'fine' });
    await eventually(
      async () => (await items().get('huge-status'))?.status?.state === 'done',
      'the run after the change',
    );
    expect(count('huge-status')).toBe(2);
  });
});
