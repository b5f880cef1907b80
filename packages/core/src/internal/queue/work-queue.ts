// A keyed work queue: one run per key at a time, duplicates collapse, bounded concurrency, delayed re-adds.

/** What the queue reports, for metrics. */
export interface QueueObserver {
  /** A key entered the queue (not when it collapsed into one already waiting or marked to run again). */
  added(): void;
  started(queuedMs: number): void;
  done(workMs: number): void;
}

export class WorkQueue {
  /** Waiting keys and when each entered. */
  private readonly waiting = new Map<string, number>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: they run again once, after the current run. */
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private shuttingDown = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly concurrency: number,
    private readonly observer?: QueueObserver,
  ) {
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

  /** Queues `key` now; a pending delayed add of it is cancelled, since the new add is sooner. */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.cancelTimer(key);
    if (this.processing.has(key)) {
      // Counted when it re-enters the queue after the current run.
      this.dirty.add(key);
      return;
    }
    if (!this.waiting.has(key)) {
      this.waiting.set(key, Date.now());
      this.observer?.added();
    }
    this.pump();
  }

  /** Queues `key` after `delayMs`, unless an earlier add is already due. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    this.cancelTimer(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** Starts nothing new and waits for running work; resolves false if `timeoutMs` passed first. */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.shuttingDown = true;
    for (const key of [...this.timers.keys()]) this.cancelTimer(key);
    this.waiting.clear();
    this.dirty.clear();
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
      if (this.processing.size >= this.concurrency) return;
      this.waiting.delete(key);
      this.processing.add(key);
      this.observer?.started(Date.now() - since);
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    const started = Date.now();
    try {
      await this.process(key);
    } catch {
      // The processor handles and logs its own errors; nothing may escape as an unhandled rejection.
    } finally {
      this.observer?.done(Date.now() - started);
      this.processing.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
      if (this.processing.size === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    }
  }

  private cancelTimer(key: string): void {
    const entry = this.timers.get(key);
    if (entry) clearTimeout(entry.timer);
    this.timers.delete(key);
  }
}
