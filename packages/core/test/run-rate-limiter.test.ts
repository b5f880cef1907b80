// The per-object rate limit (a class's `rateLimit`) as a pure sliding window: the clock is a number the test moves.
import { describe, expect, it } from '@jest/globals';
import { RunRateLimiter } from '../src/internal/queue/run-rate-limiter.js';

describe('RunRateLimiter', () => {
  it('lets `runs` runs of a key start in any window and tells the next how long to wait', () => {
    const limiter = new RunRateLimiter({ runs: 2, perSeconds: 3 });
    expect(limiter.tryStart('a', 0)).toBe(0);
    expect(limiter.tryStart('a', 1_000)).toBe(0);
    // The third waits until the first leaves the window (3 s after it started).
    expect(limiter.tryStart('a', 1_500)).toBe(1_500);
    expect(limiter.tryStart('a', 2_999)).toBe(1);
    expect(limiter.tryStart('a', 3_000)).toBe(0);
    // Now 1 000 and 3 000 are in the window: the next may start at 4 000.
    expect(limiter.tryStart('a', 3_100)).toBe(900);
    expect(limiter.tryStart('a', 4_000)).toBe(0);
  });

  it('is a sliding window, not a fixed one: runs: 1 spaces every two starts by the whole window', () => {
    const limiter = new RunRateLimiter({ runs: 1, perSeconds: 2 });
    const starts: number[] = [];
    // Asked every 100 ms for 10 s, as a key would be by a stream of changes.
    for (let now = 0; now <= 10_000; now += 100) if (limiter.tryStart('a', now) === 0) starts.push(now);
    expect(starts).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000]);
  });

  it('counts each key on its own', () => {
    const limiter = new RunRateLimiter({ runs: 1, perSeconds: 10 });
    expect(limiter.tryStart('a', 0)).toBe(0);
    expect(limiter.tryStart('b', 0)).toBe(0);
    expect(limiter.tryStart('a', 1)).toBe(9_999);
    expect(limiter.tryStart('b', 5_000)).toBe(5_000);
  });

  it('records nothing for a run told to wait, so asking again does not push the wait further', () => {
    const limiter = new RunRateLimiter({ runs: 1, perSeconds: 1 });
    limiter.tryStart('a', 0);
    for (let now = 100; now < 1_000; now += 100) expect(limiter.tryStart('a', now)).toBe(1_000 - now);
    expect(limiter.tryStart('a', 1_000)).toBe(0);
  });

  it('waits whole milliseconds, at least one, so a timer set for the wait finds the window open', () => {
    const limiter = new RunRateLimiter({ runs: 1, perSeconds: 0.0015 });
    limiter.tryStart('a', 0);
    expect(limiter.tryStart('a', 0.2)).toBe(2);
    expect(limiter.tryStart('a', 1.4)).toBe(1);
  });

  it('forgets keys whose runs left the window once many keys came and went (deleted objects cost nothing)', () => {
    const limiter = new RunRateLimiter({ runs: 1, perSeconds: 1 });
    for (let i = 0; i < 1_000; i++) limiter.tryStart(`old-${i}`, 0);
    expect(limiter.size).toBe(1_000);
    for (let i = 0; i < 2_000; i++) limiter.tryStart(`new-${i}`, 5_000);
    // The old keys were swept as the map grew; only keys still inside their window stay.
    expect(limiter.size).toBe(2_000);
    // A forgotten key starts afresh.
    expect(limiter.tryStart('old-1', 5_000)).toBe(0);
  });
});
