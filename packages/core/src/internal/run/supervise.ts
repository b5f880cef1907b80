// Watches over one handler run: ends it at its timeout, and reports it while it runs long without one.
import { KubeopError } from '../../errors.js';

/** A handler run went past its timeout; it counts as failed and is retried. */
export class HandlerTimeoutError extends KubeopError {
  override readonly name = 'HandlerTimeoutError';
  readonly code = 'HANDLER_TIMEOUT';
  constructor(
    readonly what: string,
    readonly timeoutSeconds: number,
  ) {
    super(`${what} timed out after ${timeoutSeconds} s`);
  }
}

export interface SupervisionOptions {
  /** What runs, for messages: "@OnAdded handler for ns/name". */
  what: string;
  /** 0 or undefined: no timeout. */
  timeoutSeconds: number | undefined;
  /** Without a timeout, `onSlow` is called every this many ms while the run goes on. */
  slowEveryMs: number;
  onSlow: (elapsedMs: number) => void;
  /** Called once at the timeout, before the run's promise rejects (abort the run's signal here). */
  onTimeout: (error: HandlerTimeoutError) => void;
}

/** Settles as `work` does, or rejects with HandlerTimeoutError at the timeout, leaving `work` behind. */
export async function supervise<T>(work: Promise<T>, options: SupervisionOptions): Promise<T> {
  const started = Date.now();
  const timeoutSeconds = options.timeoutSeconds ?? 0;
  let timer: NodeJS.Timeout | undefined;
  const guard =
    timeoutSeconds > 0
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = new HandlerTimeoutError(options.what, timeoutSeconds);
            options.onTimeout(error);
            reject(error);
          }, timeoutSeconds * 1000).unref();
        })
      : new Promise<never>(() => {
          // Unref'd: a run abandoned at shutdown must not keep the process alive to warn about it.
          timer = setInterval(() => options.onSlow(Date.now() - started), options.slowEveryMs).unref();
        });
  try {
    return await Promise.race([work, guard]);
  } finally {
    clearTimeout(timer);
    clearInterval(timer);
  }
}
