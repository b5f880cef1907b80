import { describe, expect, it } from '@jest/globals';
import { FailureStreak } from '../src/internal/util/failure-streak.js';

const policy = { baseMs: 500, capMs: 30_000 };

function streak(): { streak: FailureStreak; advance: (ms: number) => void } {
  let now = 1_000;
  // random() = 0: no jitter, so delays are exact.
  return {
    streak: new FailureStreak(
      () => now,
      () => 0,
    ),
    advance: (ms) => (now += ms),
  };
}

describe('FailureStreak', () => {
  it('doubles the delay per consecutive failure up to the cap', () => {
    const { streak: s } = streak();
    const delays = Array.from({ length: 10 }, () => s.fail(policy).delayMs);
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('warns on failures 1, 4, 16, 64 and no others', () => {
    const { streak: s } = streak();
    const warned = Array.from({ length: 100 }, () => s.fail(policy))
      .filter((f) => f.warn)
      .map((f) => f.attempt);
    expect(warned).toEqual([1, 4, 16, 64]);
  });

  it('reports the length and duration of a streak once it ends, and starts over after it', () => {
    const { streak: s, advance } = streak();
    expect(s.succeed()).toBeUndefined();
    s.fail(policy);
    advance(1500);
    expect(s.fail(policy)).toMatchObject({ attempt: 2, delayMs: 1000, elapsedMs: 1500 });
    advance(2500);
    expect(s.succeed()).toEqual({ failures: 2, durationMs: 4000 });
    expect(s.succeed()).toBeUndefined();
    expect(s.fail(policy)).toMatchObject({ attempt: 1, delayMs: 500, elapsedMs: 0, warn: true });
  });
});
