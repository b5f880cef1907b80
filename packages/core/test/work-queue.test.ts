import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../src/internal/queue/work-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('WorkQueue', () => {
  it('never runs one key twice at once and runs it again once after, if added meanwhile', async () => {
    const gate = deferred();
    const runs: string[] = [];
    const queue = new WorkQueue(async (key) => {
      runs.push(key);
      if (runs.length === 1) await gate.promise;
    }, 4);
    queue.add('a');
    queue.add('a');
    queue.add('a');
    expect(runs).toEqual(['a']);
    gate.resolve();
    await until(() => runs.length === 2 && queue.active === 0);
    expect(runs).toEqual(['a', 'a']);
  });

  it('runs up to the concurrency limit and no further', async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    let running = 0;
    let peak = 0;
    const queue = new WorkQueue(async (key) => {
      running++;
      peak = Math.max(peak, running);
      const gate = deferred();
      gates.set(key, gate);
      await gate.promise;
      running--;
    }, 3);
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.add(key);
    expect(queue.active).toBe(3);
    expect(queue.depth).toBe(2);
    for (const key of ['a', 'b', 'c']) gates.get(key)!.resolve();
    await until(() => gates.has('d') && gates.has('e'));
    gates.get('d')!.resolve();
    gates.get('e')!.resolve();
    await until(() => queue.active === 0);
    expect(peak).toBe(3);
  });

  it('cancels a delayed add when the key is added now', async () => {
    const runs: number[] = [];
    const queue = new WorkQueue(async () => void runs.push(Date.now()), 1);
    queue.addAfter('a', 60_000);
    queue.add('a');
    await until(() => runs.length === 1);
    await queue.shutdown(1000);
    expect(runs).toHaveLength(1);
  });

  it('waits for running work on shutdown and starts nothing new', async () => {
    const gate = deferred();
    const runs: string[] = [];
    const queue = new WorkQueue(async (key) => {
      runs.push(key);
      await gate.promise;
    }, 1);
    queue.add('a');
    queue.add('b');
    const stopped = queue.shutdown(5000);
    queue.add('c');
    gate.resolve();
    await expect(stopped).resolves.toBe(true);
    expect(runs).toEqual(['a']);
  });

  it('reports a shutdown that timed out', async () => {
    const queue = new WorkQueue(() => new Promise<void>(() => undefined), 1);
    queue.add('a');
    await expect(queue.shutdown(10)).resolves.toBe(false);
  });
});
