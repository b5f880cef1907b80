// A class's `rateLimit` as a pure sliding window per key: at most `runs` runs start within any `perSeconds`; a run
// beyond it is told how long to wait. The caller passes the time, so tests need no timers.
import type { RateLimitOptions } from '@kubeop/decorators';

/** Keys held at most before the first sweep of expired ones; later sweeps run when the map doubled since the last. */
const FIRST_SWEEP = 64;

export class RunRateLimiter {
  /** Each key's run starts (ms, ascending) still inside the window; a key without one is forgotten. */
  private readonly starts = new Map<string, number[]>();
  private readonly windowMs: number;
  private sweepAt = FIRST_SWEEP;

  constructor(private readonly limit: RateLimitOptions) {
    this.windowMs = limit.perSeconds * 1000;
  }

  /**
   * A run of `key` wants to start at `nowMs` (a monotonic clock): returns 0 and records the start, or the whole ms
   * until the window allows one (recording nothing; ask again then).
   */
  tryStart(key: string, nowMs: number): number {
    const starts = this.starts.get(key);
    if (!starts) {
      if (this.starts.size >= this.sweepAt) this.sweep(nowMs);
      this.starts.set(key, [nowMs]);
      return 0;
    }
    const windowStart = nowMs - this.windowMs;
    while (starts.length && starts[0]! <= windowStart) starts.shift();
    if (starts.length < this.limit.runs) {
      starts.push(nowMs);
      return 0;
    }
    // Rounded up: a timer due at the boundary must not find the window still closed.
    return Math.max(1, Math.ceil(starts[0]! + this.windowMs - nowMs));
  }

  /** Keys with a start still remembered (for tests: forgotten keys cost nothing). */
  get size(): number {
    return this.starts.size;
  }

  /** Forgets keys whose last start left the window (deleted objects, objects at rest): amortised O(1) per new key. */
  private sweep(nowMs: number): void {
    const windowStart = nowMs - this.windowMs;
    for (const [key, starts] of this.starts) if (starts[starts.length - 1]! <= windowStart) this.starts.delete(key);
    this.sweepAt = Math.max(FIRST_SWEEP, this.starts.size * 2);
  }
}
