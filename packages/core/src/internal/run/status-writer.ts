// Writes a handler run's status updates in order, as merge patches on the status subresource.
import { type KubeClient, MERGE_PATCH } from '../../kube/client.js';
import { isTransient, KubeApiError } from '../../kube/errors.js';
import { backoffDelay, sleep } from '../util/backoff.js';
import { applyMergePatch, composeMergePatches, prunedPaths } from '../util/merge-patch.js';
import { cloneJson } from '../util/clone-json.js';
import {
  ETCD_REQUEST_LIMIT_BYTES,
  InvalidStatusError,
  isTooLarge,
  limitNamed,
  ObjectGoneError,
  StatusSubresourceMissingError,
  StatusTooLargeError,
} from './status-errors.js';

export interface StatusWriterOptions {
  /** Path of the object; `/status` is appended. */
  objectPath: string;
  /** `plural.group`, for messages. */
  resource: string;
  /** `namespace/name`, for messages. */
  objectKey: string;
  initial: unknown;
  /** Called with the status fields a write set but the server dropped (pruned by the CRD schema). */
  onPruned?: (fields: string[]) => void;
  onWritten?: () => void;
  /** How long transient failures (API server down, 5xx, 429, type not served yet) are retried. Defaults to 60 s. */
  retryForMs?: number;
}

export class StatusWriter {
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  private unsentPatch: unknown;
  private current: unknown;
  private closed = false;

  constructor(
    private readonly client: KubeClient,
    private readonly options: StatusWriterOptions,
  ) {
    this.current = options.initial === undefined ? undefined : cloneJson(options.initial);
  }

  /** The status as last written by this run (or as the object had it). */
  get value(): unknown {
    return this.current;
  }

  /** The status patch not written since a write failed (it and every later one), or undefined. */
  get unsent(): unknown {
    return this.unsentPatch;
  }

  /** Queues a merge patch of `status`; the returned promise settles when it is written. */
  write(patch: unknown): Promise<void> {
    // A run abandoned at its timeout must not overwrite what the next run writes.
    if (this.closed) return Promise.resolve();
    this.current = applyMergePatch(this.current, patch);
    const body = { status: patch };
    this.chain = this.chain.then(async () => {
      // After one failure the later writes are dropped: applying them out of order would be wrong.
      if (this.closed) return;
      if (this.failure) {
        this.unsentPatch = composeMergePatches(this.unsentPatch, patch);
        return;
      }
      try {
        await this.send(body);
      } catch (error) {
        this.failure = { error };
        this.unsentPatch = patch;
      }
    });
    const settled = this.chain.then(() => this.throwFailure());
    // Marked handled here, so a write the author does not await is never an unhandled rejection;
    // `flush()` reports the failure as the handler run's error.
    settled.catch(() => undefined);
    return settled;
  }

  /** Waits for every queued write; throws the first failure. */
  async flush(): Promise<void> {
    await this.chain;
    this.throwFailure();
  }

  private throwFailure(): void {
    if (!this.failure) return;
    const { error } = this.failure;
    // The writer throws only Errors; anything else from the client is kept as the cause.
    throw error instanceof Error
      ? error
      : new Error(`writing the status of ${this.options.objectKey} failed`, { cause: error });
  }

  /** Drops every later write (the run is over). */
  close(): void {
    this.closed = true;
  }

  private async send(body: { status: unknown }): Promise<void> {
    const deadline = Date.now() + (this.options.retryForMs ?? 60_000);
    const path = `${this.options.objectPath}/status`;
    // A 404 of /status while the object reads fine, seen once: the resource may have come back into service between
    // the two requests, so the PATCH is tried once more before the subresource is called missing.
    let subresourceSuspect = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await this.client.request<{ status?: unknown } | undefined>('PATCH', path, {
          body,
          contentType: MERGE_PATCH,
        });
        this.options.onWritten?.();
        const pruned = prunedPaths(body.status, written?.status);
        if (pruned.length) this.options.onPruned?.(pruned);
        return;
      } catch (error) {
        if (error instanceof KubeApiError && isTooLarge(error)) {
          const bytes = Buffer.byteLength(JSON.stringify(body.status));
          throw new StatusTooLargeError(
            this.options.objectKey,
            bytes,
            limitNamed(error) ?? ETCD_REQUEST_LIMIT_BYTES,
            error,
          );
        }
        if (error instanceof KubeApiError && error.isInvalid)
          throw new InvalidStatusError(this.options.objectKey, error);
        if (error instanceof KubeApiError && error.isNotFound) {
          // `/status` answers 404 alike for a gone object and for a CRD without the status subresource.
          const exists = await this.objectExists();
          if (exists === true) {
            if (subresourceSuspect) throw new StatusSubresourceMissingError(this.options.resource);
            subresourceSuspect = true;
            continue;
          }
          if (exists === false) throw new ObjectGoneError(this.options.objectKey);
        }
        const delay = backoffDelay({ baseMs: 200, capMs: 5_000 }, attempt);
        if (!isTransient(error) || Date.now() + delay > deadline) throw error;
        await sleep(delay);
      }
    }
  }

  /** true or false, or undefined when the resource itself is not served right now (retry). */
  private async objectExists(): Promise<boolean | undefined> {
    try {
      await this.client.request('GET', this.options.objectPath);
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.isObjectNotFound) return false;
      return undefined;
    }
  }
}
