import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { objects, operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const gadgetResource = { group: 'it.kubeop.dev', version: 'v1', plural: 'gadgets', singular: 'gadget', kind: 'Gadget' };
const handled: string[] = [];

@CustomResource(testResource)
class Widgets extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    if (o.spec?.explode) throw new Error(`boom for ${o.metadata.name}`);
    handled.push(`widget:${o.metadata.name}`);
    this.status = { state: 'done' };
  }
}

@CustomResource(gadgetResource)
class Gadgets extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    handled.push(`gadget:${o.metadata.name}`);
    this.status = { state: 'done' };
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Widgets, Gadgets] });

describe('one operator', () => {
  it('serves two resources', async () => {
    const running = await runOperator([Widgets, Gadgets], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
    });
    await objects(env.kubeConfig, testResource, env.namespace).create('w');
    await objects(env.kubeConfig, gadgetResource, env.namespace).create('g');
    await eventually(() => handled.includes('widget:w') && handled.includes('gadget:g'), 'both objects');
    expect(running.operator.controllerStats.map((s) => s.resource)).toEqual([
      'widgets.it.kubeop.dev',
      'gadgets.it.kubeop.dev',
    ]);
  });

  it('logs a handler that throws with its stack and the object key, and goes on with other objects', async () => {
    const running = await runOperator([Widgets], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '60'],
    });
    const widgets = objects(env.kubeConfig, testResource, env.namespace);
    await widgets.create('bad', { explode: true });
    await widgets.create('good');
    await eventually(() => handled.includes('widget:good'), 'the good object');
    const failure = await eventually(
      () => parseLogs(running.logs).find((l) => l.level === 'error' && l.object === `${env.namespace}/bad`),
      'the error',
    );
    expect(String(failure.message)).toContain(
      `@OnAdded handler for ${env.namespace}/bad failed: boom for bad (attempt 1); retrying in`,
    );
    expect(String(failure.stack)).toMatch(/Error: boom for bad\n\s+at /);
    expect((await widgets.get('bad'))?.status).toBeUndefined();
  });
});
