// Per-object `@OnTimer` ticks: one timeout per object and timer, re-armed after each tick, cancelled when the
// object goes or starts being deleted.

export interface TimerSpec {
  /** Seconds. */
  interval: number;
  /** Seconds before the first tick. */
  initialDelay: number;
}

export class TimerScheduler {
  /** Per object key, the armed timeout of each timer (by index). */
  private readonly armed = new Map<string, NodeJS.Timeout[]>();
  private stopped = false;

  constructor(
    private readonly specs: readonly TimerSpec[],
    private readonly onTick: (key: string, index: number) => void,
  ) {}

  get size(): number {
    return this.armed.size;
  }

  /** Arms the timers of `key` unless they already are. */
  track(key: string): void {
    if (this.stopped || this.specs.length === 0 || this.armed.has(key)) return;
    const timeouts = this.specs.map((spec, index) => this.arm(key, index, spec.initialDelay));
    this.armed.set(key, timeouts);
  }

  untrack(key: string): void {
    for (const timeout of this.armed.get(key) ?? []) clearTimeout(timeout);
    this.armed.delete(key);
  }

  stop(): void {
    this.stopped = true;
    for (const key of [...this.armed.keys()]) this.untrack(key);
  }

  private arm(key: string, index: number, delaySeconds: number): NodeJS.Timeout {
    const timeout = setTimeout(() => {
      const timeouts = this.armed.get(key);
      if (!timeouts) return;
      // Fixed delay between ticks, not fixed rate: a slow tick must not make the next ones bunch up.
      timeouts[index] = this.arm(key, index, this.specs[index]!.interval);
      this.onTick(key, index);
    }, delaySeconds * 1000);
    // The watch keeps the process alive; a timer alone must not.
    timeout.unref();
    return timeout;
  }
}
