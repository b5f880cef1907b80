// Writes a handler run's status updates in order, as merge patches on the status subresource.
import { type KubeClient, MERGE_PATCH } from '../kube/client.js';
import { isTransient } from '../kube/errors.js';
import { backoffDelay, sleep } from './backoff.js';
import { applyMergePatch } from './merge-patch.js';

export class StatusWriter {
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private current: unknown;

  constructor(
    private readonly client: KubeClient,
    /** Path of the object; `/status` is appended. */
    private readonly objectPath: string,
    initial: unknown,
    /** How long transient failures (API server down, 5xx, 429) are retried. Defaults to 60 s. */
    private readonly retryForMs = 60_000,
  ) {
    this.current = initial === undefined ? undefined : structuredClone(initial);
  }

  /** The status as last written by this run (or as the object had it). */
  get value(): unknown {
    return this.current;
  }

  /** Queues a merge patch of `status`; the returned promise settles when it is written. */
  write(patch: unknown): Promise<void> {
    this.current = applyMergePatch(this.current, patch);
    const body = { status: patch };
    this.chain = this.chain.then(async () => {
      // After one failure the later writes are dropped: applying them out of order would be wrong.
      if (this.failure === undefined) {
        try {
          await this.send(body);
        } catch (error) {
          this.failure = error;
        }
      }
    });
    const settled = this.chain.then(() => {
      if (this.failure !== undefined) throw this.failure;
    });
    // Marked handled here, so a write the author does not await is never an unhandled rejection;
    // `flush()` reports the failure as the handler run's error.
    settled.catch(() => undefined);
    return settled;
  }

  /** Waits for every queued write; throws the first failure. */
  async flush(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  private async send(body: unknown): Promise<void> {
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.request('PATCH', `${this.objectPath}/status`, { body, contentType: MERGE_PATCH });
        return;
      } catch (error) {
        const delay = backoffDelay({ baseMs: 200, capMs: 5_000 }, attempt);
        if (!isTransient(error) || Date.now() + delay > deadline) throw error;
        await sleep(delay);
      }
    }
  }
}
