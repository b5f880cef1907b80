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
/** What the watcher had done when each object was handled: shows which watch delivered it. */
const watchedWhenHandled = new Map<string, { watches: number; watchdog: number }>();
let watched = () => ({ watches: 0, watchdog: 0 });
/** A deliberate wait, to show that something does not happen. */
const holdFrozen = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@CustomResource(testResource)
class Recorder extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    handled.push(o.metadata.name);
    watchedWhenHandled.set(o.metadata.name, watched());
    this.status = { state: 'done' };
  }
}

let env: TestEnvironment;
let proxy: FaultProxy;
beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, Recorder);
  proxy = await startFaultProxy(
    { server: env.kubeConfig.getCurrentCluster()!.server, kubeConfig: env.kubeConfig },
    join(tmpdir(), `kubeop-net-${process.pid}.kubeconfig`),
  );
});
afterEach(() => stopAllOperators());
afterAll(async () => {
  await proxy?.close();
});

describe('network faults', () => {
  // The server-side timeout (--watch-timeout 600) is far beyond the test, so only the watchdog can end a frozen watch.
  it('restarts a watch frozen mid-stream (the watchdog) and delivers through the new watch', async () => {
    const running = await runOperator([Recorder], {
      kubeconfigPath: proxy.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--watchdog', '3', '--watch-timeout', '600'],
    });
    const watcher = running.operator.controllerStats[0]!.watcher;
    watched = () => ({ watches: watcher.watches, watchdog: watcher.restarts.watchdog });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('before-freeze');
    await eventually(() => handled.includes('before-freeze'), 'the first object');

    const atFreeze = { ...watcher, restarts: { ...watcher.restarts } };
    const logsAtFreeze = running.logs.length;
    proxy.freeze();
    await items.create('during-freeze');
    await eventually(
      () => handled.includes('during-freeze'),
      'the object created while the old watch was frozen',
      20_000,
    ).catch((e) => {
      process.stderr.write(running.logText().slice(-6000));
      throw e;
    });
    // Delivered by a watch started after the freeze, once the watchdog had given up on the frozen one.
    const atDelivery = watchedWhenHandled.get('during-freeze')!;
    expect(atDelivery.watches).toBeGreaterThan(atFreeze.watches);
    expect(atDelivery.watchdog).toBeGreaterThan(atFreeze.restarts.watchdog);
    expect(watcher.restarts.error).toBe(atFreeze.restarts.error);
    expect(running.logs.slice(logsAtFreeze).join('\n')).toMatch(/was silent for 3000 ms; restarting it/);
  });

  it('leaves a frozen watch frozen when the watchdog is long (what the test above relies on)', async () => {
    const running = await runOperator([Recorder], {
      kubeconfigPath: proxy.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--watchdog', '60', '--watch-timeout', '600'],
    });
    const watcher = running.operator.controllerStats[0]!.watcher;
    const items = objects(env.kubeConfig, testResource, env.namespace);
    await items.create('before-long-freeze');
    await eventually(() => handled.includes('before-long-freeze'), 'the first object');

    const watches = watcher.watches;
    proxy.freeze();
    await items.create('during-long-freeze');
    await holdFrozen(10_000); // three times the watchdog of the test above
    expect(handled).not.toContain('during-long-freeze');
    expect(watcher.watches).toBe(watches);
    expect(watcher.restarts.watchdog).toBe(0);
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
