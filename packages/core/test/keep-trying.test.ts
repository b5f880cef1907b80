// keepTrying: a webhook registration that failed is retried with backoff until it lands or a newer one replaces it.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { keepTrying } from '../src/internal/webhook/keep-trying.js';

const POLICY = { baseMs: 1_000, capMs: 4_000 };

/** Lets the settled promise's callbacks run. */
const flush = () =>
  new Promise<void>((resolve) => jest.requireActual<typeof import('node:timers')>('node:timers').setImmediate(resolve));

describe('keepTrying', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('retries a failure with growing delays until it succeeds, then stops', async () => {
    let calls = 0;
    const delays: number[] = [];
    const run = () => (++calls < 4 ? Promise.reject(new Error(`refused ${calls}`)) : Promise.resolve());
    const trying = keepTrying(run, (_error, retryInMs) => delays.push(retryInMs), POLICY);
    trying.trigger();
    for (let i = 0; i < 6; i++) {
      await flush();
      await jest.advanceTimersByTimeAsync(5_000);
    }
    expect(calls).toBe(4);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeLessThanOrEqual(1_000);
    expect(delays[2]).toBeGreaterThan(delays[0]!);
    expect(delays[2]).toBeLessThanOrEqual(4_000);
  });

  it('drops the pending retry of an older trigger: only the newest inputs are retried', async () => {
    const runs: number[] = [];
    let generation = 0;
    const run = () => {
      runs.push(generation);
      return Promise.reject(new Error('down'));
    };
    const trying = keepTrying(run, () => {}, POLICY);
    generation = 1;
    trying.trigger();
    await flush();
    generation = 2;
    trying.trigger();
    await flush();
    await jest.advanceTimersByTimeAsync(1_000);
    await flush();
    trying.stop();
    // One run per trigger, then the retry of the newest only.
    expect(runs).toEqual([1, 2, 2]);
  });

  it('retries nothing after stop', async () => {
    let calls = 0;
    const trying = keepTrying(
      () => (calls++, Promise.reject(new Error('down'))),
      () => {},
      POLICY,
    );
    trying.trigger();
    await flush();
    trying.stop();
    await jest.advanceTimersByTimeAsync(10_000);
    trying.trigger();
    expect(calls).toBe(1);
  });
});
