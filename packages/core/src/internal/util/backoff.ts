// Exponential backoff with jitter, and a sleep that ends early when its signal aborts.

export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** Longest delay, in ms. */
  capMs: number;
}

/** Delay before retry number `attempt` (1-based): base·2^(attempt−1), capped, times a jitter factor in [1−jitter, 1]. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, jitter = 0.2, random = Math.random): number {
  const exponential = policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  return Math.round(Math.min(policy.capMs, exponential) * (1 - jitter * random()));
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
