// Handlers of a built-in kind with a label selector, @OnTimer and --resync-period on the real control plane.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { CustomResource, OnAdded, OnModified, OnReconcile, OnTimer, Resource } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler, type RunReason } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { installCrd, objects, operatorSuite, runOperator } from './support/operator.js';

const env = operatorSuite({ beforeAll, afterEach, afterAll });
let core: CoreV1Api;
beforeAll(() => {
  core = env.kubeConfig.makeApiClient(CoreV1Api);
});

const seenMaps: string[] = [];

@Resource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', labelSelector: 'kubeop-test=selected' })
class SelectedMaps {
  @OnAdded({ skipWhenStateSet: false }) added(map: CustomObject) {
    seenMaps.push(map.metadata.name);
  }
}

describe('a handler of a built-in kind', () => {
  it('sees only the objects its label selector selects', async () => {
    await runOperator([SelectedMaps], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const create = (name: string, labels: Record<string, string>) =>
      core.createNamespacedConfigMap({
        namespace: env.namespace,
        body: { metadata: { name, labels }, data: { a: '1' } },
      });
    await create('ignored', { 'kubeop-test': 'other' });
    await create('selected', { 'kubeop-test': 'selected' });
    // Created after the ignored one: once it is seen, the ignored one would have been too.
    await create('selected-later', { 'kubeop-test': 'selected' });
    await eventually(() => seenMaps.includes('selected-later'), 'the second selected ConfigMap');
    expect(seenMaps).toContain('selected');
    expect(seenMaps).not.toContain('ignored');
  });
});

const timed = { group: 'timers.it.kubeop.dev', version: 'v1', plural: 'clocks', kind: 'Clock' } as const;
const INTERVAL_S = 0.5;
/** Holds the reconcile of the object named `slow` until the test lets it go. */
let releaseSlow: () => void = () => undefined;
const slowStarted: number[] = [];
const ticks: Array<{ name: string; at: number; reasons: RunReason[] }> = [];
const reconciles: Array<{ name: string; start: number; end: number; reasons: RunReason[] }> = [];

@CustomResource(timed)
class ClockHandler extends ResourceHandler {
  /** Held for `slow`: ticks due while it runs must be skipped. */
  @OnReconcile() async reconcile(clock: CustomObject) {
    const start = Date.now();
    // Only its first run: the object stays for the next test, whose operator reconciles it again at start-up.
    if (clock.spec?.slow && slowStarted.length === 0) {
      slowStarted.push(start);
      await new Promise<void>((resolve) => (releaseSlow = resolve));
    }
    reconciles.push({ name: clock.metadata.name, start, end: Date.now(), reasons: this.reasons });
  }
  @OnTimer({ interval: INTERVAL_S, initialDelay: 0 }) tick(clock: CustomObject) {
    ticks.push({ name: clock.metadata.name, at: Date.now(), reasons: this.reasons });
  }
}

describe('@OnTimer', () => {
  beforeAll(() => installCrd(env.kubeConfig, ClockHandler));

  it('is called per object at its interval, never while another run for it is going', async () => {
    const items = objects(env.kubeConfig, timed, env.namespace);
    await runOperator([ClockHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await items.create('steady');
    const steady = await eventually(() => {
      const own = ticks.filter((t) => t.name === 'steady');
      return own.length >= 7 ? own.slice(0, 7) : undefined;
    }, 'seven ticks');
    // A lower bound only, on the mean: ticks fire no sooner than asked, but a busy event loop may start one run late
    // and the next on time, so a single gap can look short.
    const meanGapMs = (steady.at(-1)!.at - steady[0]!.at) / (steady.length - 1);
    expect(meanGapMs).toBeGreaterThanOrEqual(INTERVAL_S * 1000 * 0.8);
    for (const tick of steady) expect(tick.reasons).toEqual([{ type: 'timer', method: 'tick' }]);

    await items.create('slow', { slow: true });
    await eventually(() => slowStarted.length > 0, 'the slow reconcile to start');
    // While it is held, three more ticks of another object show that several of its own came due.
    const steadyBefore = ticks.filter((t) => t.name === 'steady').length;
    await eventually(
      () => ticks.filter((t) => t.name === 'steady').length >= steadyBefore + 3,
      'ticks of another object meanwhile',
    );
    releaseSlow();
    const run = await eventually(() => reconciles.find((r) => r.name === 'slow'), 'the slow reconcile to end');
    // Ticks come again once it is over.
    await eventually(() => ticks.some((t) => t.name === 'slow' && t.at > run.end), 'a tick after the slow run');
    const during = ticks.filter((t) => t.name === 'slow' && t.at >= run.start && t.at <= run.end);
    expect(during).toEqual([]);
  });

  it('stops for an object once it is deleted', async () => {
    const items = objects(env.kubeConfig, timed, env.namespace);
    await runOperator([ClockHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await items.create('stopped');
    await eventually(() => ticks.some((t) => t.name === 'stopped'), 'a tick');
    await items.delete('stopped');
    await eventually(async () => (await items.get('stopped')) === undefined, 'the object to be gone');
    // Created after the deletion, so the operator sees it after the deletion (one watch, in order): from its first
    // tick on, the deleted object's timer is gone. Its ticks then show time passing.
    await items.create('witness');
    const witness = await eventually(() => {
      const own = ticks.filter((t) => t.name === 'witness');
      return own.length >= 4 ? own : undefined;
    }, 'ticks of another object');
    expect(ticks.filter((t) => t.name === 'stopped' && t.at >= witness[0]!.at)).toEqual([]);
  });
});

const resynced = { group: 'resync.it.kubeop.dev', version: 'v1', plural: 'resyncables', kind: 'Resyncable' } as const;
const modifiedRuns: Array<{ name: string; reasons: RunReason[] }> = [];

@CustomResource(resynced)
class ResyncHandler extends ResourceHandler {
  @OnAdded() added() {
    this.status = { state: 'done' };
  }
  @OnModified() modified(object: CustomObject) {
    modifiedRuns.push({ name: object.metadata.name, reasons: this.reasons });
  }
}

describe('--resync-period', () => {
  beforeAll(() => installCrd(env.kubeConfig, ResyncHandler));

  it('queues every object again with reason resync', async () => {
    const items = objects(env.kubeConfig, resynced, env.namespace);
    await items.create('r1');
    await items.create('r2');
    await runOperator([ResyncHandler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--resync-period', '1'],
    });
    await eventually(
      () => ['r1', 'r2'].every((name) => modifiedRuns.filter((r) => r.name === name).length >= 2),
      'two resyncs of each object',
    );
    for (const run of modifiedRuns) expect(run.reasons).toEqual([{ type: 'resync' }]);
  });
});
