// A keyed work queue holding each key's merged payload: one run per key at a time, duplicates collapse, bounded
// concurrency, delayed re-adds, per-key failure counts with a backoff that other adds cannot cut short, and runs held
// back for a rate limit.
import { type BackoffPolicy, backoffDelay } from '../util/backoff.js';

/** What the queue reports, for metrics. */
export interface QueueObserver {
  /** A key entered the queue (not when it collapsed into one already waiting or marked to run again). */
  added(): void;
  started(queuedMs: number): void;
  done(workMs: number): void;
}

/**
 * What an add does to a payload held back for later (a retry's backoff, a requeue-after):
 * - `pull`: the held payload joins this one and runs now (the default; an object's own change is news for all);
 * - `beside`: runs now alone, leaving a backoff where it is (a timer tick: its own work, not the failed handler's);
 * - `after-backoff`: joins a backoff and waits it out (a nudge would otherwise re-run the failing handler at once).
 * Outside a backoff, `beside` and `after-backoff` behave as `pull`.
 */
export type AddMode = 'pull' | 'beside' | 'after-backoff';

export interface WorkQueueOptions<T> {
  /** Runs at once at most. */
  concurrency: number;
  /** Merges a newer payload of a key into the older one it has. */
  merge: (older: T | undefined, newer: T) => T;
  /** The rate limiter's backoff per failure of a key. Defaults to 1 s doubling to 5 min. */
  backoff?: BackoffPolicy;
  /** Jitter factor of that backoff. Defaults to 0.1. */
  jitter?: number;
  observer?: QueueObserver;
}

interface Held<T> {
  at: number;
  timer: NodeJS.Timeout;
  payload: T;
  /** Held for a failure's backoff (not a requeue-after): adds in `after-backoff` mode wait for it. */
  backoff: boolean;
}

export class WorkQueue<T> {
  /** Waiting keys and when each entered. */
  private readonly waiting = new Map<string, number>();
  /** The payload each waiting, running-and-added-again, key runs with next. */
  private readonly payloads = new Map<string, T>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: they run again once, after the current run. */
  private readonly dirty = new Set<string>();
  private readonly held = new Map<string, Held<T>>();
  /** Keys whose next run waits for the class's rate limit: every add joins the payload, whatever its mode. */
  private readonly rateHeld = new Map<string, { timer: NodeJS.Timeout; payload: T }>();
  private readonly failures = new Map<string, number>();
  private shuttingDown = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly process: (key: string, payload: T) => Promise<void>,
    private readonly options: WorkQueueOptions<T>,
  ) {
    const { concurrency } = options;
    if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, got ${concurrency}`);
  }

  get active(): number {
    return this.processing.size;
  }

  get depth(): number {
    return this.waiting.size;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Whether `key` waits out a failure's backoff. */
  inBackoff(key: string): boolean {
    return this.held.get(key)?.backoff === true;
  }

  /** In how many ms the payload held back for `key` is due, if one is. */
  heldFor(key: string): number | undefined {
    const held = this.held.get(key);
    return held && Math.max(0, held.at - Date.now());
  }

  /** Failures recorded for `key` since it last succeeded (client-go's NumRequeues). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The backoff (ms, jittered) before retrying failure number `attempt` (1-based). */
  backoffFor(attempt: number): number {
    const policy = this.options.backoff ?? { baseMs: 1_000, capMs: 300_000 };
    return backoffDelay(policy, attempt, this.options.jitter ?? 0.1);
  }

  /** Queues `key` with `payload` now; see {@link AddMode} for a payload held back meanwhile. */
  add(key: string, payload: T, mode: AddMode = 'pull'): void {
    if (this.shuttingDown) return;
    const held = this.held.get(key);
    if (held?.backoff && mode === 'after-backoff') {
      held.payload = this.options.merge(held.payload, payload);
      return;
    }
    // Checked only while some run is held back: without a rateLimit, an add pays nothing for it.
    const limited = this.rateHeld.size ? this.rateHeld.get(key) : undefined;
    if (limited) {
      limited.payload = this.options.merge(limited.payload, payload);
      return;
    }
    if (held && !(held.backoff && mode === 'beside')) {
      this.release(key);
      payload = this.options.merge(held.payload, payload);
    }
    this.payloads.set(key, this.options.merge(this.payloads.get(key), payload));
    if (this.processing.has(key)) {
      // Counted when it re-enters the queue after the current run.
      this.dirty.add(key);
      return;
    }
    if (!this.waiting.has(key)) {
      this.waiting.set(key, Date.now());
      this.options.observer?.added();
    }
    this.pump();
  }

  /**
   * Holds `payload` for `key` and queues it after `delayMs` (merged with what is held already, due at the earlier
   * time); returns the delay that holds, which is shorter when an earlier add was already due.
   */
  addAfter(key: string, payload: T, delayMs: number, backoff = false): number {
    if (this.shuttingDown) return delayMs;
    if (delayMs <= 0) {
      this.add(key, payload);
      return 0;
    }
    const now = Date.now();
    const existing = this.held.get(key);
    if (existing) {
      existing.payload = this.options.merge(existing.payload, payload);
      existing.backoff ||= backoff;
      if (existing.at <= now + delayMs) return existing.at - now;
      clearTimeout(existing.timer);
    }
    const held: Held<T> = {
      at: now + delayMs,
      payload: existing?.payload ?? payload,
      backoff: existing?.backoff ?? backoff,
      timer: setTimeout(() => {
        this.held.delete(key);
        this.add(key, held.payload);
      }, delayMs),
    };
    this.held.set(key, held);
    return delayMs;
  }

  /**
   * Records a failure of `key` and holds `payload` for `delayMs` (a backoff: later adds in `after-backoff` mode
   * wait for it, `beside` ones run alone); returns the failure's number and the delay that holds.
   */
  addRateLimited(key: string, payload: T, delayMs: number): { attempt: number; delayMs: number } {
    const attempt = this.failuresOf(key) + 1;
    this.failures.set(key, attempt);
    return { attempt, delayMs: this.addAfter(key, payload, delayMs, true) };
  }

  /**
   * Holds `key`'s next run back for `delayMs` (a rate limit; called during the run that found it over the limit,
   * with the work it did not do): what was added meanwhile and every later add join it, and it is queued when the
   * delay is over, beside a failure's backoff if one holds other work.
   */
  holdForRateLimit(key: string, payload: T, delayMs: number): void {
    if (this.shuttingDown) return;
    const gathered = this.payloads.get(key);
    if (gathered !== undefined) {
      payload = this.options.merge(payload, gathered);
      this.payloads.delete(key);
      this.dirty.delete(key);
      this.waiting.delete(key);
    }
    const existing = this.rateHeld.get(key);
    if (existing) {
      clearTimeout(existing.timer);
      payload = this.options.merge(existing.payload, payload);
    }
    const entry = {
      payload,
      timer: setTimeout(() => {
        this.rateHeld.delete(key);
        this.add(key, entry.payload, 'beside');
      }, delayMs),
    };
    this.rateHeld.set(key, entry);
  }

  /** Clears the failures of `key` (it succeeded, or gave up for good). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Starts nothing new and waits for running work; resolves false if `timeoutMs` passed first. */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.shuttingDown = true;
    for (const key of [...this.held.keys()]) this.release(key);
    for (const { timer } of this.rateHeld.values()) clearTimeout(timer);
    this.rateHeld.clear();
    this.waiting.clear();
    this.dirty.clear();
    this.payloads.clear();
    if (this.processing.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return drained;
  }

  private pump(): void {
    for (const [key, since] of this.waiting) {
      if (this.processing.size >= this.options.concurrency) return;
      this.waiting.delete(key);
      this.processing.add(key);
      const payload = this.payloads.get(key)!;
      this.payloads.delete(key);
      this.options.observer?.started(Date.now() - since);
      void this.run(key, payload);
    }
  }

  private async run(key: string, payload: T): Promise<void> {
    const started = Date.now();
    try {
      await this.process(key, payload);
    } catch {
      // The processor handles and logs its own errors; nothing may escape as an unhandled rejection.
    } finally {
      this.options.observer?.done(Date.now() - started);
      this.processing.delete(key);
      if (this.dirty.delete(key)) this.requeueDirty(key);
      this.pump();
      if (this.processing.size === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    }
  }

  /** A key added during its run re-enters the queue with the payload gathered meanwhile. */
  private requeueDirty(key: string): void {
    if (this.shuttingDown || !this.payloads.has(key)) return;
    if (!this.waiting.has(key)) {
      this.waiting.set(key, Date.now());
      this.options.observer?.added();
    }
  }

  private release(key: string): void {
    const entry = this.held.get(key);
    if (entry) clearTimeout(entry.timer);
    this.held.delete(key);
  }
}
