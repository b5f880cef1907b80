import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnModified } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { createTestNamespace, eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { installCrd, objects, runOperator, stopAllOperators } from './support/operator.js';
import { names } from './support/storm.js';
import { testResource } from './support/test-resource.js';

// Handlers block on a gate the test opens, so concurrency is observed, not guessed.
let gate: Promise<void> = Promise.resolve();
let openGate: () => void = () => {};
const closeGate = (): void => {
  gate = new Promise((resolve) => (openGate = resolve));
};
const active = new Map<string, number>();
let running = 0;
let peak = 0;
let overlaps = 0;
const runs: Array<{ name: string; event: string; generation: number }> = [];

async function track(o: CustomObject, event: string): Promise<void> {
  const name = o.metadata.name;
  active.set(name, (active.get(name) ?? 0) + 1);
  if (active.get(name)! > 1) overlaps++;
  running++;
  peak = Math.max(peak, running);
  runs.push({ name, event, generation: o.metadata.generation! });
  await gate;
  running--;
  active.set(name, active.get(name)! - 1);
}

@CustomResource(testResource)
class Gated extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    await track(o, 'added');
  }
  @OnModified() async modified(o: CustomObject) {
    await track(o, 'modified');
  }
}

let env: TestEnvironment;
beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, Gated);
});
afterEach(async () => {
  openGate();
  await stopAllOperators();
});

describe('the work queue', () => {
  it('handles objects concurrently up to --max-concurrent and no further', async () => {
    closeGate();
    peak = 0;
    const operator = await runOperator([Gated], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--max-concurrent', '3'],
    });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    const all = names('conc', 10);
    for (const name of all) await items.create(name);
    await eventually(() => running === 3, 'three handlers running');
    await eventually(() => operator.operator.controllerStats[0]!.watcher.events >= all.length, 'all events received');
    expect(running).toBe(3);
    // The operator's stats read the queue: seven keys wait behind the three that run.
    expect(operator.operator.controllerStats[0]!.handlers).toMatchObject({ running: 3, queued: 7 });
    openGate();
    await eventually(() => all.every((n) => runs.some((r) => r.name === n)), 'every object handled');
    expect(peak).toBe(3);
  });

  it('never runs two handlers for one object at once, and collapses piled-up changes to the latest state', async () => {
    closeGate();
    // A namespace of its own: the objects of the other test would otherwise take every slot first.
    const namespace = await createTestNamespace(env.kubeConfig, 'queue-overlap');
    const operator = await runOperator([Gated], { kubeconfigPath: env.kubeconfigPath, namespace });
    const items = objects(env.kubeConfig, testResource, namespace);
    await items.create('busy');
    await eventually(() => runs.some((r) => r.name === 'busy'), 'the first run to start');
    for (let i = 1; i <= 5; i++) await items.patchSpec('busy', { version: i });
    // Every change has reached the operator (one ADDED, five MODIFIED) while the first run still holds the object.
    await eventually(() => operator.operator.controllerStats[0]!.watcher.events === 6, 'the five changes to arrive');
    openGate();
    await eventually(
      () => runs.filter((r) => r.name === 'busy').length === 2 && active.get('busy') === 0,
      'the collapsed second run',
    );
    expect(overlaps).toBe(0);
    expect(runs.filter((r) => r.name === 'busy')).toEqual([
      { name: 'busy', event: 'added', generation: 1 },
      { name: 'busy', event: 'modified', generation: 6 },
    ]);
  });
});
