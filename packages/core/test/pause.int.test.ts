// The kubeop.dev/paused annotation on the real control plane: a paused object runs no handler (spec changes, timers,
// deletion) and shows a Paused condition; once unpaused the work owed runs once and the condition turns "False".
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { CustomResource, OnAdded, OnDeleted, OnModified, OnReconcile, OnTimer, Owns } from '@kubeop/decorators';
import { type CustomObject, PAUSED_ANNOTATION, ResourceHandler, type RunReason } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import {
  objects,
  operatorSuite,
  parseLogs,
  runOperator,
  type RunningOperator,
  type TestObject,
} from './support/operator.js';
import { testResource } from './support/test-resource.js';

interface Call {
  handler: 'added' | 'modified' | 'deleted' | 'tick' | 'reconcile' | 'changed';
  name: string;
  reasons: RunReason[];
}
const calls: Call[] = [];
const callsOf = (name: string, handler?: Call['handler']) =>
  calls.filter((c) => c.name === name && (!handler || c.handler === handler));

@CustomResource(testResource)
class Widgets extends ResourceHandler {
  @OnAdded() added(o: CustomObject) {
    calls.push({ handler: 'added', name: o.metadata.name, reasons: this.reasons });
    this.status = { state: 'ready' };
  }
  @OnModified() modified(o: CustomObject) {
    calls.push({ handler: 'modified', name: o.metadata.name, reasons: this.reasons });
  }
  @OnDeleted() deleted(o: CustomObject) {
    calls.push({ handler: 'deleted', name: o.metadata.name, reasons: this.reasons });
  }
}

const clocks = { ...testResource, group: 'pause.kubeop.dev', plural: 'clocks', singular: 'clock', kind: 'Clock' };

@CustomResource(clocks)
class Clocks extends ResourceHandler {
  @OnTimer({ interval: 1, initialDelay: 0 }) tick(o: CustomObject) {
    calls.push({ handler: 'tick', name: o.metadata.name, reasons: this.reasons });
  }
}

const parents = { ...testResource, group: 'pause.kubeop.dev', plural: 'parents', singular: 'parent', kind: 'Parent' };

@CustomResource(parents)
@Owns({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' })
class Parents extends ResourceHandler {
  @OnReconcile() async reconcile(o: CustomObject) {
    calls.push({ handler: 'reconcile', name: o.metadata.name, reasons: this.reasons });
    await this.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${o.metadata.name}-child` } });
  }
}

const watchers = {
  ...testResource,
  group: 'pause.kubeop.dev',
  plural: 'watchers',
  singular: 'watcher',
  kind: 'Watcher',
};

@CustomResource(watchers)
class Watchers extends ResourceHandler {
  @OnModified({ everyChange: true }) changed(o: CustomObject) {
    calls.push({ handler: 'changed', name: o.metadata.name, reasons: this.reasons });
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Widgets, clocks, parents, watchers] });

const FINALIZER = `${testResource.group}/finalizer`;
const pausedCondition = (o: TestObject) =>
  (o.status?.conditions as Array<Record<string, unknown>> | undefined)?.find((c) => c.type === 'Paused');
const pause = { annotations: { [PAUSED_ANNOTATION]: 'true' } };
// A merge patch's null removes the annotation (`kubectl annotate ... kubeop.dev/paused-`).
const unpause = { annotations: { [PAUSED_ANNOTATION]: null } } as unknown as typeof pause;

/** The operator's debug lines saying a paused object's work waits, for `name`. */
function waiting(running: RunningOperator, name: string) {
  return parseLogs(running.logs).filter(
    (l) => l.object === `${env.namespace}/${name}` && String(l.message).includes('is paused: its work waits'),
  );
}

async function start(
  handlers: Array<typeof Widgets | typeof Clocks | typeof Parents | typeof Watchers>,
): Promise<RunningOperator> {
  return runOperator(handlers, { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
}

describe('a paused object', () => {
  it('runs no handler for a spec change, shows Paused, and runs the change once when unpaused', async () => {
    const running = await start([Widgets]);
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('edited', { size: 1 });
    await items.waitFor('edited', (o) => o.status?.state === 'ready' && !!o.metadata.finalizers?.includes(FINALIZER));

    await items.patchMetadata('edited', pause);
    const shown = await items.waitFor('edited', (o) => pausedCondition(o)?.status === 'True', 'the Paused condition');
    expect(pausedCondition(shown)).toMatchObject({ reason: 'PausedByAnnotation', observedGeneration: 1 });
    expect(shown.status?.state).toBe('ready');

    await items.patchSpec('edited', { size: 2 });
    // The change reached the controller and was kept: no handler ran for it.
    await eventually(
      () => waiting(running, 'edited').some((l) => JSON.stringify(l.reasons).includes('spec-changed')),
      'the spec change kept while paused',
    );
    expect(callsOf('edited', 'modified')).toEqual([]);

    await items.patchMetadata('edited', unpause);
    await eventually(() => callsOf('edited', 'modified').length > 0, 'the run owed since the pause');
    const cleared = await items.waitFor(
      'edited',
      (o) => pausedCondition(o)?.status === 'False',
      'the Paused condition turned "False"',
    );
    expect(pausedCondition(cleared)).toMatchObject({ reason: 'NotPaused' });
    expect(cleared.status?.state).toBe('ready');

    // A later change runs alone: the unpause ran the owed work exactly once.
    await items.patchSpec('edited', { size: 3 });
    await eventually(() => callsOf('edited', 'modified').length >= 2, 'the next spec change');
    expect(callsOf('edited', 'modified').map((c) => c.reasons)).toEqual([
      [{ type: 'spec-changed', oldGeneration: 1, newGeneration: 2 }, { type: 'unpaused' }],
      [{ type: 'spec-changed', oldGeneration: 2, newGeneration: 3 }],
    ]);
    expect(callsOf('edited', 'added')).toHaveLength(1);
  });

  it('is held by the finalizer when deleted, without @OnDeleted, until it is unpaused', async () => {
    const running = await start([Widgets]);
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('doomed');
    await items.waitFor('doomed', (o) => !!o.metadata.finalizers?.includes(FINALIZER), 'the finalizer');
    await items.patchMetadata('doomed', pause);
    await items.waitFor('doomed', (o) => pausedCondition(o)?.status === 'True', 'the Paused condition');

    await items.delete('doomed');
    await eventually(
      () => waiting(running, 'doomed').some((l) => JSON.stringify(l.reasons).includes('deleted')),
      'the deletion kept while paused',
    );
    const held = await items.get('doomed');
    expect(held?.metadata.deletionTimestamp).toBeDefined();
    expect(held?.metadata.finalizers).toContain(FINALIZER);
    expect(callsOf('doomed', 'deleted')).toEqual([]);

    await items.patchMetadata('doomed', unpause);
    await items.waitForDeletion('doomed');
    expect(callsOf('doomed', 'deleted')).toHaveLength(1);
  });

  it('whose finalizer is removed by hand goes without @OnDeleted', async () => {
    const running = await start([Widgets]);
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('moved');
    await items.waitFor('moved', (o) => !!o.metadata.finalizers?.includes(FINALIZER), 'the finalizer');
    await items.patchMetadata('moved', pause);
    await items.waitFor('moved', (o) => pausedCondition(o)?.status === 'True', 'the Paused condition');
    await items.delete('moved');
    await items.patchMetadata('moved', { finalizers: [] });
    await items.waitForDeletion('moved');
    await eventually(
      () => running.logs.some((l) => l.includes(`${env.namespace}/moved was deleted while paused`)),
      'the deletion of the paused object seen',
    );
    expect(callsOf('moved', 'deleted')).toEqual([]);
  });

  it('stays paused across an operator restart, and runs the change missed meanwhile once unpaused', async () => {
    const first = await start([Widgets]);
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('restarted', { size: 1 });
    await items.waitFor('restarted', (o) => o.status?.state === 'ready', 'the object handled');
    await items.patchMetadata('restarted', pause);
    await items.waitFor('restarted', (o) => pausedCondition(o)?.status === 'True', 'the Paused condition');
    await first.stop();

    await items.patchSpec('restarted', { size: 2 });
    const second = await start([Widgets]);
    await eventually(() => waiting(second, 'restarted').length > 0, 'the object kept at start-up');
    expect(callsOf('restarted', 'modified')).toEqual([]);
    await items.patchMetadata('restarted', unpause);
    await eventually(() => callsOf('restarted', 'modified').length > 0, 'the missed change run');
    expect(callsOf('restarted', 'modified').map((c) => c.reasons)).toEqual([
      [{ type: 'startup' }, { type: 'unpaused' }],
    ]);
    await items.waitFor('restarted', (o) => pausedCondition(o)?.status === 'False', 'the Paused condition "False"');
  });

  it('unpaused while the operator was down shows Paused "False" once the operator starts', async () => {
    const first = await start([Widgets]);
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('thawed');
    await items.waitFor('thawed', (o) => o.status?.state === 'ready', 'the object handled');
    await items.patchMetadata('thawed', pause);
    await items.waitFor('thawed', (o) => pausedCondition(o)?.status === 'True', 'the Paused condition');
    await first.stop();

    await items.patchMetadata('thawed', unpause);
    await start([Widgets]);
    await items.waitFor('thawed', (o) => pausedCondition(o)?.status === 'False', 'the Paused condition "False"');
  });

  it('gets no timer tick until it is unpaused', async () => {
    const running = await start([Clocks]);
    const items = objects(env.kubeConfig, clocks, env.namespace);
    await items.create('clock');
    await eventually(() => callsOf('clock', 'tick').length > 0, 'a first tick');
    await items.patchMetadata('clock', pause);
    await items.waitFor('clock', (o) => pausedCondition(o)?.status === 'True', 'the Paused condition');
    // Two ticks came due after the pause took hold, and were kept.
    const timerKept = () =>
      waiting(running, 'clock').filter((l) => JSON.stringify(l.reasons).includes('"timer"')).length;
    const kept = timerKept();
    const ticks = callsOf('clock', 'tick').length;
    await eventually(() => timerKept() >= kept + 2, 'two ticks kept while paused');
    expect(callsOf('clock', 'tick')).toHaveLength(ticks);

    await items.patchMetadata('clock', unpause);
    await eventually(() => callsOf('clock', 'tick').length > ticks, 'the ticks again');
    await items.waitFor('clock', (o) => pausedCondition(o)?.status === 'False', 'the Paused condition turned "False"');
  });

  it('gets no repair of a child deleted by hand until it is unpaused', async () => {
    const running = await start([Parents]);
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    const child = async () => {
      const list = await core.listNamespacedConfigMap({ namespace: env.namespace });
      return list.items.find((c) => c.metadata?.name === 'kept-child');
    };
    const items = objects(env.kubeConfig, parents, env.namespace);
    await items.create('kept');
    await eventually(child, 'the child');
    await items.patchMetadata('kept', pause);
    await items.waitFor('kept', (o) => pausedCondition(o)?.status === 'True', 'the Paused condition');
    const before = callsOf('kept').length;

    await core.deleteNamespacedConfigMap({ name: 'kept-child', namespace: env.namespace });
    await eventually(
      () => waiting(running, 'kept').some((l) => JSON.stringify(l.reasons).includes('"deleted"')),
      "the child's deletion kept while paused",
    );
    expect(await child()).toBeUndefined();
    expect(callsOf('kept')).toHaveLength(before);

    await items.patchMetadata('kept', unpause);
    await eventually(child, 'the child repaired');
    expect(callsOf('kept')[before]?.reasons).toEqual([
      {
        type: 'owned-changed',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'kept-child',
        namespace: env.namespace,
        event: 'deleted',
      },
      { type: 'unpaused' },
    ]);
  });

  it('pausing and unpausing are no change to an everyChange handler', async () => {
    const running = await start([Watchers]);
    const items = objects(env.kubeConfig, watchers, env.namespace);
    await items.create('watched');
    await items.patchMetadata('watched', pause);
    await items.waitFor('watched', (o) => pausedCondition(o)?.status === 'True', 'the Paused condition');
    await eventually(() => waiting(running, 'watched').length > 0, 'the pause taken');
    await items.patchMetadata('watched', unpause);
    await items.waitFor('watched', (o) => pausedCondition(o)?.status === 'False', 'the Paused condition "False"');
    // Had the annotation or the condition been news, a run with the reason unpaused (or two) would come first.
    await items.patchMetadata('watched', { labels: { touched: 'yes' } });
    await eventually(() => callsOf('watched').length > 0, 'the run for the label');
    expect(callsOf('watched').map((c) => c.reasons)).toEqual([[{ type: 'changed' }]]);
  });
});
