import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted, OnModified } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { objects, operatorSuite, runOperator, stopAllOperators } from './support/operator.js';
import { type HandlerCall, testResource } from './support/test-resource.js';

const calls: HandlerCall[] = [];
const record = (event: HandlerCall['event'], o: CustomObject) =>
  calls.push({
    event,
    name: o.metadata.name,
    generation: o.metadata.generation!,
    spec: o.spec,
    status: o.status,
    uid: o.metadata.uid!,
  });

@CustomResource(testResource)
class WidgetHandler extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    expect(this.object).toEqual(o);
    record('added', o);
    this.status = { state: 'seen' };
  }
  @OnModified() async modified(o: CustomObject) {
    record('modified', o);
  }
  @OnDeleted() async deleted(o: CustomObject) {
    record('deleted', o);
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [WidgetHandler] });

describe('handlers', () => {
  it('calls @OnAdded, @OnModified and @OnDeleted with the object of each event', async () => {
    await runOperator([WidgetHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const widgets = objects(env.kubeConfig, testResource, env.namespace);

    const created = await widgets.create('w1', { size: 1 });
    const added = await eventually(() => calls.find((c) => c.name === 'w1' && c.event === 'added'), '@OnAdded for w1');
    expect(added).toMatchObject({ uid: created.metadata.uid, generation: 1, spec: { size: 1 } });

    await widgets.patchSpec('w1', { size: 2 });
    const modified = await eventually(
      () => calls.find((c) => c.name === 'w1' && c.event === 'modified'),
      '@OnModified for w1',
    );
    expect(modified).toMatchObject({ generation: 2, spec: { size: 2 } });

    await widgets.delete('w1');
    const deleted = await eventually(
      () => calls.find((c) => c.name === 'w1' && c.event === 'deleted'),
      '@OnDeleted for w1',
    );
    expect(deleted).toMatchObject({ uid: created.metadata.uid, spec: { size: 2 } });
    await eventually(async () => (await widgets.get('w1')) === undefined, 'w1 to be gone');
    expect(calls.filter((c) => c.name === 'w1').map((c) => c.event)).toEqual(['added', 'modified', 'deleted']);
  });

  it('keeps its finalizer on handled objects so deletion waits for @OnDeleted', async () => {
    await runOperator([WidgetHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const widgets = objects(env.kubeConfig, testResource, env.namespace);
    await widgets.create('w2');
    const withFinalizer = await eventually(async () => {
      const o = await widgets.get('w2');
      return o?.metadata.finalizers?.includes('it.kubeop.dev/finalizer') ? o : undefined;
    }, 'the finalizer on w2');
    expect(withFinalizer.metadata.finalizers).toEqual(['it.kubeop.dev/finalizer']);
  });

  it('calls @OnModified on start for a spec changed while the operator was down', async () => {
    const widgets = objects(env.kubeConfig, testResource, env.namespace);
    const first = await runOperator([WidgetHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await widgets.create('w3', { size: 1 });
    await eventually(
      async () => (await widgets.get('w3'))?.metadata.annotations?.['kubeop.dev/handled-generation'] === '1',
      'the handled generation',
    );
    await first.stop();

    await widgets.patchSpec('w3', { size: 5 });
    await runOperator([WidgetHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const modified = await eventually(
      () => calls.find((c) => c.name === 'w3' && c.event === 'modified'),
      '@OnModified for the missed change',
    );
    expect(modified).toMatchObject({ generation: 2, spec: { size: 5 } });
    expect(calls.filter((c) => c.name === 'w3').map((c) => c.event)).toEqual(['added', 'modified']);
  });
});

afterAll(() => stopAllOperators());
