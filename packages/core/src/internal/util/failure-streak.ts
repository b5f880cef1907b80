// Consecutive failures of one long-lived loop (a watch): the backoff before each retry, which of them are worth a
// warning (the first, then ever more rarely, so an outage does not flood the log), and how long the streak lasted.
import { type BackoffPolicy, backoffDelay } from './backoff.js';

export interface Failure {
  /** The failure's number in the streak, from 1. */
  attempt: number;
  /** How long to wait before the next attempt, in ms. */
  delayMs: number;
  /** Whether to log it as a warning: failures 1, 4, 16, 64, …; the others are for the debug log. */
  warn: boolean;
  /** Time since the streak's first failure, in ms. */
  elapsedMs: number;
}

export class FailureStreak {
  private count = 0;
  private startedAt = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  get failures(): number {
    return this.count;
  }

  /** Records a failure; the delay grows with the streak, under the policy's cap. */
  fail(policy: BackoffPolicy): Failure {
    const now = this.now();
    if (this.count === 0) this.startedAt = now;
    this.count++;
    return {
      attempt: this.count,
      delayMs: backoffDelay(policy, this.count, 0.2, this.random),
      warn: isPowerOfFour(this.count),
      elapsedMs: now - this.startedAt,
    };
  }

  /** Ends the streak: how many failures it had and how long since the first, or undefined when there was none. */
  succeed(): { failures: number; durationMs: number } | undefined {
    if (this.count === 0) return undefined;
    const ended = { failures: this.count, durationMs: this.now() - this.startedAt };
    this.count = 0;
    return ended;
  }
}

function isPowerOfFour(n: number): boolean {
  while (n > 1 && n % 4 === 0) n /= 4;
  return n === 1;
}
