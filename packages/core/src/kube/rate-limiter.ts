// The client-side rate limit of requests to the API server (`--kube-api-qps`, `--kube-api-burst`), a token bucket as
// client-go's: `burst` requests at once, then `qps` a second. A request over it waits its turn (first come, first
// served) and stops waiting when its signal aborts or the client closes.
import { KubeopError } from '../errors.js';

/** A request that was waiting for the rate limit when the client closed. */
export class ClientClosedError extends KubeopError {
  override readonly name = 'ClientClosedError';
  readonly code = 'KUBE_CLIENT_CLOSED';
}

/** The time and timers the bucket uses; tests pass a fake. */
export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  // Unref'd: a waiting request must not keep a stopping process alive (close() rejects it).
  setTimer: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** Told of every request once it passed: how long it waited, and whether it had to wait at all. */
export type ThrottleObserver = (verb: string, seconds: number, waited: boolean) => void;

interface Waiter {
  verb: string;
  since: number;
  resolve: () => void;
  reject: (reason: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  /** In arrival order; the head is released first. */
  private readonly waiters: Waiter[] = [];
  private timer: unknown;
  private closed = false;

  /** `qps` > 0 tokens a second, at most `burst` >= 1 saved up (the bucket starts full). */
  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly observer?: ThrottleObserver,
    private readonly clock: Clock = realClock,
  ) {
    if (!(qps > 0 && Number.isFinite(qps))) throw new RangeError(`qps must be a number > 0, got ${qps}`);
    if (!(Number.isInteger(burst) && burst >= 1))
      throw new RangeError(`burst must be a whole number >= 1, got ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Requests waiting for a token now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Takes a token for one request: undefined when one was free (nothing to await), else a promise that resolves in
   * turn, or rejects with the signal's reason when it aborts first, or with ClientClosedError.
   */
  take(verb: string, signal?: AbortSignal): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new ClientClosedError(`${verb}: the API client is closed`));
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.observer?.(verb, 0, false);
      return undefined;
    }
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { verb, since: this.clock.now(), resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => this.abandon(waiter, abortReason(signal));
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** Rejects every waiting request and takes no more. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) {
      this.settle(waiter);
      waiter.reject(
        new ClientClosedError(`${waiter.verb}: the API client closed while the request waited for --kube-api-qps`),
      );
    }
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  /** One timer, for the head of the line: when it fires, every waiter a token is there for goes, in order. */
  private schedule(): void {
    if (this.timer !== undefined || this.waiters.length === 0) return;
    const ms = Math.max(1, Math.ceil(((1 - this.tokens) / this.qps) * 1000));
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.release();
    }, ms);
  }

  private release(): void {
    this.refill();
    while (this.waiters.length && this.tokens >= 1) {
      this.tokens -= 1;
      const waiter = this.waiters.shift()!;
      this.settle(waiter);
      waiter.resolve();
    }
    this.schedule();
  }

  private abandon(waiter: Waiter, reason: Error): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    this.settle(waiter);
    waiter.reject(reason);
    if (this.waiters.length === 0 && this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops listening to the waiter's signal and tells the observer how long it waited. */
  private settle(waiter: Waiter): void {
    if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    this.observer?.(waiter.verb, (this.clock.now() - waiter.since) / 1000, true);
  }
}

/** What the request throws when its signal aborted: the signal's reason, as every other aborted request does. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  // An Error or a DOMException (AbortSignal.timeout's, which is not an Error in every realm).
  return typeof reason === 'object' && reason !== null ? (reason as Error) : new Error(String(reason));
}
