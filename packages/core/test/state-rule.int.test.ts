import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { objects, operatorSuite, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const handled: string[] = [];

@CustomResource(testResource)
class ProcessOnce extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    handled.push(o.metadata.name);
    this.status = { state: 'processed' };
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [ProcessOnce] });

describe('the state rule', () => {
  it('handles ADDED only for objects without status.state, also across a restart', async () => {
    const widgets = objects(env.kubeConfig, testResource, env.namespace);
    // Present before the operator starts: one already processed, one with status but no state, one bare.
    await widgets.create('processed');
    await widgets.patchStatus('processed', { state: 'done-earlier' });
    await widgets.create('other-status');
    await widgets.patchStatus('other-status', { someStatusInfo: { moreStatusInfo: 'here' } });
    await widgets.create('bare');

    const first = await runOperator([ProcessOnce], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await eventually(() => handled.includes('other-status') && handled.includes('bare'), 'the unprocessed objects');
    await widgets.create('live');
    await eventually(async () => (await widgets.get('live'))?.status?.state === 'processed', 'live to be processed');
    await eventually(async () => (await widgets.get('bare'))?.status?.state === 'processed', 'bare to be processed');
    expect(first.logText()).toMatch(/skipped .*\/processed: status.state is \\"done-earlier\\"/);
    await first.stop();
    expect([...handled].sort()).toEqual(['bare', 'live', 'other-status']);

    // A restart sees every object again in its initial list; all now carry status.state.
    await widgets.create('after-restart');
    const second = await runOperator([ProcessOnce], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await eventually(() => handled.includes('after-restart'), 'the object created while the operator was down');
    await eventually(
      () =>
        second.operator.controllerStats[0]!.handlers.running === 0 &&
        second.logs.filter((l) => l.includes('skipped')).length >= 4,
      'the skips',
    );
    expect([...handled].sort()).toEqual(['after-restart', 'bare', 'live', 'other-status']);
    expect((await widgets.get('processed'))?.status).toEqual({ state: 'done-earlier' });
  });
});
