// Re-runs a registration until it lands: a CA bundle the API server never got means every admission call fails TLS.

import { type BackoffPolicy, backoffDelay } from '../util/backoff.js';

export interface KeepTrying {
  /** Runs now; a failure is retried with backoff until it succeeds or a later trigger supersedes it. */
  trigger(): void;
  /** Cancels any pending retry; later failures are not retried. */
  stop(): void;
}

const RETRY: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 };

export function keepTrying(
  run: () => Promise<void>,
  onFailure: (error: unknown, retryInMs: number) => void,
  policy: BackoffPolicy = RETRY,
): KeepTrying {
  let generation = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = (mine: number, failures: number) => {
    run().then(
      () => {},
      (error: unknown) => {
        // A newer trigger runs with newer inputs (a newer bundle): this attempt's retry would only race it.
        if (stopped || mine !== generation) return;
        const delay = backoffDelay(policy, failures + 1);
        onFailure(error, delay);
        timer = setTimeout(() => attempt(mine, failures + 1), delay);
        timer.unref();
      },
    );
  };
  return {
    trigger() {
      if (stopped) return;
      clearTimeout(timer);
      attempt(++generation, 0);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
