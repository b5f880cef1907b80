// kube-apiserver killed (SIGKILL) and restarted in the middle of a storm of creations: nothing lost, nothing twice.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { type ControlPlane, createTestNamespace, eventually, startControlPlane } from '@kubeop/testing';
import { installCrd, objects, runOperator, stopAllOperators } from './support/operator.js';
import { createStorm, names } from './support/storm.js';
import { testResource } from './support/test-resource.js';

const calls = new Map<string, number>();

@CustomResource(testResource)
class Counter extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    calls.set(o.metadata.name, (calls.get(o.metadata.name) ?? 0) + 1);
    this.status = { state: 'done' };
  }
}

let plane: ControlPlane;
beforeAll(async () => {
  plane = await startControlPlane();
  await installCrd(plane.kubeConfig, Counter);
});
afterAll(async () => {
  await stopAllOperators();
  await plane?.stop();
});

describe('kube-apiserver killed during a storm', () => {
  it('handles each of 500 objects exactly once', async () => {
    const namespace = await createTestNamespace(plane.kubeConfig, 'storm');
    const running = await runOperator([Counter], {
      kubeconfigPath: plane.kubeconfigPath,
      namespace,
      argv: ['--log-level', 'info', '--max-concurrent', '20'],
    });
    const items = objects(plane.kubeConfig, testResource, namespace);
    const all = names('storm', 500);

    let restarted: Promise<{ readyAt: number; handledBefore: number }> | undefined;
    await createStorm(items, all, 10, (count) => {
      if (count === 150 && !restarted) {
        restarted = (async () => {
          await plane.stopApiServer({ signal: 'SIGKILL' });
          await plane.startApiServer();
          return { readyAt: Date.now(), handledBefore: calls.size };
        })();
      }
    });
    const { readyAt, handledBefore } = await restarted!;
    // The storm's writers and the operator retry as soon as the port serves, before /readyz says ready: on a busy
    // machine every object may be handled by the time the restart is seen as done.
    const finishedBeforeReady = handledBefore === all.length;
    if (!finishedBeforeReady)
      await eventually(() => calls.size > handledBefore, 'a handled object after the restart', 60_000).catch(
        (error: Error) => {
          // What the operator was doing, for a failure that shows only on a loaded machine.
          const stats = running.operator.controllerStats[0]!;
          error.message +=
            `\n${calls.size} of ${all.length} handled (${handledBefore} when ready); watcher ${JSON.stringify(stats.watcher)}; ` +
            `handlers ${JSON.stringify(stats.handlers)}\nlast log lines:\n${running.logs.slice(-40).join('\n')}`;
          throw error;
        },
      );
    const recovery = finishedBeforeReady
      ? 'every object was handled before the API server reported ready'
      : `handling resumed ${Date.now() - readyAt} ms after the API server was ready again`;

    await eventually(
      () => calls.size === all.length,
      `all ${all.length} objects handled (so far ${calls.size})`,
      120_000,
    );
    await eventually(() => running.operator.controllerStats[0]!.handlers.running === 0, 'idle');
    const twice = [...calls].filter(([, n]) => n > 1).map(([name]) => name);
    const lost = all.filter((name) => !calls.has(name));
    const stats = running.operator.controllerStats[0]!;
    process.stderr.write(
      `[storm] apiserver SIGKILL+restart: created ${all.length}, handled ${calls.size}, twice ${twice.length}, lost ${lost.length}; ` +
        `${recovery}; watch restarts ${JSON.stringify(stats.watcher.restarts)}\n`,
    );
    expect(twice).toEqual([]);
    expect(lost).toEqual([]);
    expect(stats.watcher.restarts.error + stats.watcher.restarts.gone).toBeGreaterThan(0);
    // Every object carries the status its one handler run wrote.
    const listed = (await items.api.listNamespacedCustomObject({ ...testResource, namespace })) as {
      items: Array<{ status?: { state?: string } }>;
    };
    expect(listed.items.filter((o) => o.status?.state === 'done')).toHaveLength(all.length);
  });
});
