import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { objects, operatorSuite, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const deleted: string[] = [];

@CustomResource(testResource)
class WithCleanup extends ResourceHandler {
  @OnAdded() async added() {
    this.status = { state: 'ready' };
  }
  @OnDeleted() async removed(o: CustomObject) {
    deleted.push(o.metadata.name);
  }
}

@CustomResource(testResource)
class BestEffort extends ResourceHandler {
  @OnAdded() async added() {
    this.status = { state: 'ready' };
  }
  @OnDeleted({ finalizer: false }) async removed(o: CustomObject) {
    deleted.push(o.metadata.name);
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [WithCleanup] });

describe('finalizers', () => {
  it('run @OnDeleted for an object deleted while the operator was down, then let it go', async () => {
    const items = objects(env.kubeConfig, testResource, env.namespace);
    const first = await runOperator([WithCleanup], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await items.create('while-down');
    await eventually(
      async () => (await items.get('while-down'))?.metadata.finalizers?.includes('it.kubeop.dev/finalizer'),
      'the finalizer',
    );
    await first.stop();

    await items.delete('while-down');
    const pending = await items.get('while-down');
    expect(pending?.metadata.deletionTimestamp).toBeDefined();

    await runOperator([WithCleanup], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await eventually(async () => (await items.get('while-down')) === undefined, 'the object to be gone');
    expect(deleted.filter((n) => n === 'while-down')).toEqual(['while-down']);
  });

  it('are not added when @OnDeleted opts out, and deletion is then best-effort', async () => {
    const items = objects(env.kubeConfig, testResource, env.namespace);
    const running = await runOperator([BestEffort], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await items.create('no-finalizer');
    const ready = await eventually(async () => {
      const o = await items.get('no-finalizer');
      return o?.status?.state === 'ready' ? o : undefined;
    }, 'the object to be handled');
    expect(ready.metadata.finalizers ?? []).toEqual([]);
    await items.delete('no-finalizer');
    await eventually(() => deleted.includes('no-finalizer'), '@OnDeleted from the DELETED event');
    await running.stop();
  });
});
