import { describe, expect, it, jest } from '@jest/globals';
import { WorkQueue, type WorkQueueOptions } from '../src/internal/queue/work-queue.js';

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

/** Payloads are lists of what was added, merged by concatenation. */
const options = (concurrency: number, more: Partial<WorkQueueOptions<string[]>> = {}): WorkQueueOptions<string[]> => ({
  concurrency,
  merge: (older, newer) => [...(older ?? []), ...newer],
  ...more,
});

describe('WorkQueue', () => {
  it('never runs one key twice at once and runs it again once after, if added meanwhile', async () => {
    const gate = deferred();
    const runs: string[] = [];
    const queue = new WorkQueue<string[]>(async (key) => {
      runs.push(key);
      if (runs.length === 1) await gate.promise;
    }, options(4));
    queue.add('a', ['1']);
    queue.add('a', ['2']);
    queue.add('a', ['3']);
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
    }, options(3));
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.add(key, [key]);
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
    const queue = new WorkQueue<string[]>(async () => void runs.push(Date.now()), options(1));
    queue.addAfter('a', ['later'], 60_000);
    queue.add('a', ['now']);
    await until(() => runs.length === 1);
    await queue.shutdown(1000);
    expect(runs).toHaveLength(1);
  });

  it('waits for running work on shutdown and starts nothing new', async () => {
    const gate = deferred();
    const runs: string[] = [];
    const queue = new WorkQueue<string[]>(async (key) => {
      runs.push(key);
      await gate.promise;
    }, options(1));
    queue.add('a', ['a']);
    queue.add('b', ['b']);
    const stopped = queue.shutdown(5000);
    queue.add('c', ['c']);
    gate.resolve();
    await expect(stopped).resolves.toBe(true);
    expect(runs).toEqual(['a']);
  });

  it('reports a shutdown that timed out', async () => {
    const queue = new WorkQueue<string[]>(() => new Promise<void>(() => undefined), options(1));
    queue.add('a', ['a']);
    await expect(queue.shutdown(10)).resolves.toBe(false);
  });

  it('runs a key with the payloads added while it waited, merged, and with those added during its run after', async () => {
    const gate = deferred();
    const seen: string[][] = [];
    const queue = new WorkQueue<string[]>(async (_key, payload) => {
      seen.push(payload);
      if (seen.length === 1) await gate.promise;
    }, options(1));
    queue.add('b', ['b']);
    queue.add('a', ['1']);
    queue.add('a', ['2']);
    await until(() => seen.length === 1);
    gate.resolve();
    await until(() => seen.length === 2);
    queue.add('a', ['3']);
    await until(() => seen.length === 3 && queue.active === 0);
    expect(seen).toEqual([['b'], ['1', '2'], ['3']]);
  });

  it('counts failures per key until forgotten, and backs off exponentially from the base', () => {
    // A clock that stands still: the second add reports what is left of the first hold, to the millisecond.
    jest.useFakeTimers({ now: 0 });
    const queue = new WorkQueue<string[]>(
      async () => undefined,
      options(1, { backoff: { baseMs: 1000, capMs: 4000 }, jitter: 0 }),
    );
    expect(queue.failuresOf('a')).toBe(0);
    expect(queue.addRateLimited('a', ['retry'], queue.backoffFor(1))).toEqual({ attempt: 1, delayMs: 1000 });
    expect(queue.addRateLimited('a', ['retry'], queue.backoffFor(2))).toEqual({ attempt: 2, delayMs: 1000 });
    expect(queue.failuresOf('a')).toBe(2);
    expect([queue.backoffFor(2), queue.backoffFor(3), queue.backoffFor(9)]).toEqual([2000, 4000, 4000]);
    queue.forget('a');
    expect(queue.failuresOf('a')).toBe(0);
    void queue.shutdown(0);
    jest.useRealTimers();
  });

  it("keeps a backoff whatever arrives: a tick runs beside it, a nudge joins it, the object's own change pulls it", async () => {
    const seen: string[][] = [];
    const queue = new WorkQueue<string[]>(async (_key, payload) => void seen.push(payload), options(1));
    queue.addRateLimited('a', ['retry'], 60_000);
    expect(queue.inBackoff('a')).toBe(true);
    queue.add('a', ['tick'], 'beside');
    await until(() => seen.length === 1 && queue.active === 0);
    queue.add('a', ['nudge'], 'after-backoff');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([['tick']]);
    expect(queue.inBackoff('a')).toBe(true);
    expect(queue.heldFor('a')).toBeGreaterThan(50_000);
    queue.add('a', ['changed']);
    await until(() => seen.length === 2);
    expect(seen[1]).toEqual(['retry', 'nudge', 'changed']);
    expect(queue.inBackoff('a')).toBe(false);
    await queue.shutdown(1000);
  });

  it('runs a held payload when its delay ends, and keeps the earlier of two delays', async () => {
    const seen: string[][] = [];
    const queue = new WorkQueue<string[]>(async (_key, payload) => void seen.push(payload), options(1));
    expect(queue.addAfter('a', ['soon'], 20)).toBe(20);
    expect(queue.addAfter('a', ['late'], 60_000)).toBeLessThanOrEqual(20);
    await until(() => seen.length === 1);
    expect(seen).toEqual([['soon', 'late']]);
    expect(queue.heldFor('a')).toBeUndefined();
    await queue.shutdown(1000);
  });

  it('outside a backoff, a tick and a nudge pull a requeue-after forward as before', async () => {
    const seen: string[][] = [];
    const queue = new WorkQueue<string[]>(async (_key, payload) => void seen.push(payload), options(1));
    queue.addAfter('a', ['requeue'], 60_000);
    queue.add('a', ['nudge'], 'after-backoff');
    await until(() => seen.length === 1);
    expect(seen).toEqual([['requeue', 'nudge']]);
    await queue.shutdown(1000);
  });
  it('holds a run back for a rate limit: adds of every mode join it, and it runs once, merged, when the delay ends', async () => {
    jest.useFakeTimers();
    const seen: string[][] = [];
    let held = false;
    const queue = new WorkQueue<string[]>(async (key, payload) => {
      // The first run finds the key over its limit and hands its work back, as the controller does.
      if (!held) {
        held = true;
        queue.add(key, ['during']);
        queue.holdForRateLimit(key, payload, 5_000);
        return;
      }
      seen.push(payload);
    }, options(1));
    queue.add('a', ['first']);
    await jest.advanceTimersByTimeAsync(0);
    for (const mode of ['pull', 'beside', 'after-backoff'] as const) queue.add('a', [mode], mode);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(seen).toEqual([]);
    expect(queue.depth).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([['first', 'during', 'pull', 'beside', 'after-backoff']]);
    await queue.shutdown(1000);
    jest.useRealTimers();
  });

  it("runs a rate-held tick beside a failure's backoff, leaving the backoff where it is", async () => {
    jest.useFakeTimers();
    const seen: string[][] = [];
    const queue = new WorkQueue<string[]>(async (_key, payload) => void seen.push(payload), options(1));
    queue.addRateLimited('a', ['retry'], 60_000);
    queue.holdForRateLimit('a', ['tick'], 1_000);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual([['tick']]);
    expect(queue.inBackoff('a')).toBe(true);
    await jest.advanceTimersByTimeAsync(59_000);
    expect(seen).toEqual([['tick'], ['retry']]);
    await queue.shutdown(1000);
    jest.useRealTimers();
  });

  it('drops rate holds on shutdown, so no timer outlives the queue', async () => {
    jest.useFakeTimers();
    const queue = new WorkQueue<string[]>(async () => {}, options(1));
    queue.holdForRateLimit('a', ['x'], 60_000);
    expect(jest.getTimerCount()).toBe(1);
    await queue.shutdown(1000);
    expect(jest.getTimerCount()).toBe(0);
    jest.useRealTimers();
  });
});
