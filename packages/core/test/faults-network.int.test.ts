// Connections cut and watches gone silent, through a TCP proxy in front of the shared API server.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually, type FaultProxy, startFaultProxy, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { installCrd, objects, runOperator, stopAllOperators } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const handled: string[] = [];

@CustomResource(testResource)
class Recorder extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    handled.push(o.metadata.name);
    this.status = { state: 'done' };
  }
}

let env: TestEnvironment;
let proxy: FaultProxy;
beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, Recorder);
  proxy = await startFaultProxy({ server: env.kubeConfig.getCurrentCluster()!.server, kubeConfig: env.kubeConfig }, join(tmpdir(), `kubeop-net-${process.pid}.kubeconfig`));
});
afterEach(() => stopAllOperators());
afterAll(async () => {
  await proxy?.close();
});

describe('network faults', () => {
  it('restarts a watch that went silent (the watchdog)', async () => {
    const running = await runOperator([Recorder], { kubeconfigPath: proxy.kubeconfigPath, namespace: env.namespace, argv: ['--watchdog', '2'] });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('before-freeze');
    await eventually(() => handled.includes('before-freeze'), 'the first object');

    proxy.freeze();
    await items.create('during-freeze');
    await eventually(() => handled.includes('during-freeze'), 'the object created while the old watch was frozen', 20_000).catch((e) => {
      process.stderr.write(running.logText().slice(-6000));
      throw e;
    });
    expect(running.operator.controllerStats[0]!.watcher.restarts.watchdog).toBeGreaterThanOrEqual(1);
    expect(running.logText()).toMatch(/was silent for 2000 ms; restarting it/);
  });

  it('reconnects from where it was after connections are cut and refused for a while', async () => {
    const running = await runOperator([Recorder], { kubeconfigPath: proxy.kubeconfigPath, namespace: env.namespace });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('before-cut');
    await eventually(() => handled.includes('before-cut'), 'the first object');
    const listsBefore = running.operator.controllerStats[0]!.watcher.lists;

    proxy.refuse({ cut: true });
    await items.create('during-outage');
    await eventually(() => running.operator.controllerStats[0]!.watcher.restarts.error >= 2, 'failed reconnects');
    proxy.resume();
    await eventually(() => handled.includes('during-outage'), 'the object created during the outage', 60_000);
    // Resumed from its resourceVersion: no relist was needed.
    expect(running.operator.controllerStats[0]!.watcher.lists).toBe(listsBefore);
    expect(handled.filter((n) => n === 'during-outage')).toHaveLength(1);
  });
});
