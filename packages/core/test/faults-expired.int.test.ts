// A watch whose resourceVersion was compacted away (410 Gone): the operator relists, diffs and goes on.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted, OnModified } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import {
  type ControlPlane,
  createTestNamespace,
  eventually,
  type FaultProxy,
  startControlPlane,
  startFaultProxy,
} from '@kubeop/testing';
import { installCrd, objects, runOperator, stopAllOperators } from './support/operator.js';
import { names } from './support/storm.js';
import { testResource } from './support/test-resource.js';

const calls: Array<{ event: string; name: string }> = [];
const count = (event: string, name: string) => calls.filter((c) => c.event === event && c.name === name).length;

@CustomResource(testResource)
class Recorder extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    calls.push({ event: 'added', name: o.metadata.name });
    this.status = { state: 'done' };
  }
  @OnModified() async modified(o: CustomObject) {
    calls.push({ event: 'modified', name: o.metadata.name });
  }
  // No finalizer: a deletion the watch missed must surface from the relist's diff.
  @OnDeleted({ finalizer: false }) async deleted(o: CustomObject) {
    calls.push({ event: 'deleted', name: o.metadata.name });
  }
}

let plane: ControlPlane;
let proxy: FaultProxy;
beforeAll(async () => {
  // Without the watch cache, watches are served by etcd, so a compacted resourceVersion is reliably 410 Gone.
  plane = await startControlPlane({ extraApiServerFlags: ['--watch-cache=false'] });
  proxy = await startFaultProxy(plane, join(tmpdir(), `kubeop-proxy-${process.pid}.kubeconfig`));
  await installCrd(plane.kubeConfig, Recorder);
});
afterAll(async () => {
  await stopAllOperators();
  await proxy?.close();
  await plane?.stop();
});

describe('an expired resourceVersion (410 Gone)', () => {
  it('relists and turns the difference into events: nothing lost, nothing twice', async () => {
    const namespace = await createTestNamespace(plane.kubeConfig, 'expired');
    const items = objects(plane.kubeConfig, testResource, namespace);
    const running = await runOperator([Recorder], {
      kubeconfigPath: proxy.kubeconfigPath,
      namespace,
      argv: ['--log-level', 'info'],
    });
    const before = names('before', 10);
    for (const name of before) await items.create(name);
    await eventually(() => before.every((n) => count('added', n) === 1), 'the first objects');

    // Cut the operator off, change things behind its back, and compact etcd past what it has seen.
    proxy.refuse({ cut: true });
    const after = names('after', 10);
    for (const name of after) await items.create(name);
    await items.delete('before-0000');
    await items.patchSpec('before-0001', { changed: true });
    const revision = await plane.compactEtcd();
    const resumedAt = Date.now();
    proxy.resume();

    await eventually(
      () =>
        after.every((n) => count('added', n) === 1) &&
        count('deleted', 'before-0000') === 1 &&
        count('modified', 'before-0001') === 1,
      'the relist to deliver what changed',
      60_000,
    );
    const recoveryMs = Date.now() - resumedAt;
    await eventually(() => running.operator.controllerStats[0]!.handlers.running === 0, 'idle');
    const stats = running.operator.controllerStats[0]!.watcher;
    process.stderr.write(
      `[410] compacted at revision ${revision}; relists ${stats.lists}, gone ${stats.restarts.gone}; all changes handled ${recoveryMs} ms after reconnecting\n`,
    );
    expect(stats.restarts.gone).toBeGreaterThanOrEqual(1);
    expect(stats.lists).toBeGreaterThanOrEqual(2);
    const twice = [...before, ...after].filter((n) => count('added', n) > 1);
    expect(twice).toEqual([]);
    expect(calls.filter((c) => c.event !== 'added')).toEqual([
      { event: 'deleted', name: 'before-0000' },
      { event: 'modified', name: 'before-0001' },
    ]);
  });
});
