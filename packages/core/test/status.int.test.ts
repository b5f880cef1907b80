import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnModified } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { installCrd, objects, parseLogs, runOperator, stopAllOperators, eventOn } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const resource = { ...testResource, plural: 'statuswidgets', singular: 'statuswidget', kind: 'StatusWidget' };
const schemaResource = {
  ...resource,
  schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      status: {
        type: 'object',
        properties: {
          state: { type: 'string' },
          step: { type: 'integer' },
          info: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    },
  },
};
const seen: Record<string, unknown> = {};
const addedCalls = new Map<string, number>();
let modifiedCalls = 0;

@CustomResource(schemaResource)
class StatusHandler extends ResourceHandler<
  { mode?: string },
  { state?: string; step?: number; info?: Record<string, unknown> | null }
> {
  @OnAdded() async added(o: CustomObject<{ mode?: string }>) {
    addedCalls.set(o.metadata.name, (addedCalls.get(o.metadata.name) ?? 0) + 1);
    const mode = o.spec?.mode;
    if (mode === 'merge') {
      this.status = { info: { a: 1, b: 2 } };
      this.status = { info: { b: null, c: 3 } };
      seen[o.metadata.name] = this.status;
      this.status = { state: 'merged' };
    } else if (mode === 'order') {
      for (let step = 1; step <= 20; step++) this.status = { step };
      await this.setStatus({ state: 'ordered' });
    } else if (mode === 'fail') {
      // A status that the CRD's schema rejects: the run fails, the operator goes on.
      this.status = { step: 'not-a-number' as unknown as number };
    } else {
      this.status = { state: 'created' };
    }
  }

  @OnModified() async modified() {
    modifiedCalls++;
  }
}

let env: TestEnvironment;

beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, StatusHandler);
});
afterEach(() => stopAllOperators());

describe('the status setter', () => {
  it('writes the status subresource, leaving the spec and generation alone', async () => {
    await runOperator([StatusHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const items = objects(env.kubeConfig, resource, env.namespace);
    await items.create('plain', { keep: 'me' });
    const done = await eventually(async () => {
      const o = await items.get('plain');
      return o?.status?.state === 'created' ? o : undefined;
    }, 'status.state=created');
    expect(done.spec).toEqual({ keep: 'me' });
    expect(done.metadata.generation).toBe(1);
  });

  it('has merge-patch semantics, and reading gives the status as last written', async () => {
    await runOperator([StatusHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const items = objects(env.kubeConfig, resource, env.namespace);
    await items.create('merge', { mode: 'merge' });
    const done = await eventually(async () => {
      const o = await items.get('merge');
      return o?.status?.state === 'merged' ? o : undefined;
    }, 'status.state=merged');
    expect(done.status).toEqual({ state: 'merged', info: { a: 1, c: 3 } });
    expect(seen.merge).toEqual({ info: { a: 1, c: 3 } });
  });

  it('applies writes in order and finishes the run only once they are written', async () => {
    const running = await runOperator([StatusHandler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
    });
    const items = objects(env.kubeConfig, resource, env.namespace);
    await items.create('order', { mode: 'order' });
    await eventually(() => running.operator.controllerStats[0]!.handlers.handled >= 1, 'the run to finish');
    // The run counts as handled only after its writes: the status is final as soon as it is.
    expect((await items.get('order'))?.status).toEqual({ state: 'ordered', step: 20 });
  });

  it('reports a status the server rejects as invalid once, as an error and an Event, and does not re-run the handler', async () => {
    const running = await runOperator([StatusHandler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    const items = objects(env.kubeConfig, resource, env.namespace);
    await items.create('fail', { mode: 'fail' });
    const event = await eventOn(env.kubeConfig, env.namespace, 'fail', 'InvalidStatus');
    expect(event.type).toBe('Warning');
    expect(event.message).toMatch(
      /status written for .*\/fail is invalid \(status\.step\): .*status\.step: Invalid value.*must be of type integer/,
    );
    const reports = () =>
      parseLogs(running.logs).filter((l) => l.level === 'error' && String(l.message).includes('/fail is invalid'));
    expect(reports()[0]).toMatchObject({ fields: ['status.step'] });
    // A retry would come 100 ms after the failure; give it twenty times that to show up, and it must not.
    await expect(eventually(() => (addedCalls.get('fail') ?? 0) > 1, 'a second run', 2_000)).rejects.toThrow(
      'timed out',
    );
    expect(addedCalls.get('fail')).toBe(1);
    expect(reports()).toHaveLength(1);
    await items.create('after-failure');
    await eventually(
      async () => (await items.get('after-failure'))?.status?.state === 'created',
      'the next object to be handled',
    );
  });

  it('does not call @OnModified for its own status writes', async () => {
    const running = await runOperator([StatusHandler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
    });
    const items = objects(env.kubeConfig, resource, env.namespace);
    const before = modifiedCalls;
    await items.create('quiet');
    await eventually(async () => (await items.get('quiet'))?.status?.state === 'created', 'the status');
    await items.patchStatus('quiet', { info: { external: true } });
    await items.patchMetadata('quiet', { labels: { touched: 'yes' } });
    // A spec change afterwards is seen: so the writes before it were seen and filtered, not missed.
    await items.patchSpec('quiet', { changed: true });
    await eventually(() => modifiedCalls === before + 1, '@OnModified for the spec change');
    await eventually(() => running.operator.controllerStats[0]!.handlers.running === 0, 'idle');
    expect(modifiedCalls).toBe(before + 1);
  });
});

let everyChangeCalls = 0;
@CustomResource({ ...testResource, plural: 'chattywidgets', singular: 'chattywidget', kind: 'ChattyWidget' })
class EveryChange extends ResourceHandler {
  @OnModified({ everyChange: true }) async modified() {
    everyChangeCalls++;
  }
}

describe('@OnModified({ everyChange: true })', () => {
  it('is called for status and metadata changes too', async () => {
    await installCrd(env.kubeConfig, EveryChange);
    const running = await runOperator([EveryChange], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const items = objects(
      env.kubeConfig,
      { ...testResource, plural: 'chattywidgets', kind: 'ChattyWidget' },
      env.namespace,
    );
    await items.create('chatty');
    await eventually(() => running.operator.controllerStats[0]!.watcher.events >= 1, 'the ADDED event');
    await items.patchStatus('chatty', { note: 'one' });
    await eventually(() => everyChangeCalls === 1, 'a call for the status change');
    await items.patchMetadata('chatty', { labels: { touched: 'yes' } });
    await eventually(() => everyChangeCalls === 2, 'a call for the label change');
  });
});
