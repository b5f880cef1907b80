// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: take the lease when
// it is free or expired, renew it while leading, give up (once, loudly) when renewal fails for too long.
//
// Why a cut-off leader stops before anyone else starts: the leader counts its renew deadline from the moment it
// *sent* its last successful write, so the server recorded that write later than that. A standby counts the lease
// duration from when it *saw* that write, later still. With renewDeadline < leaseDuration (validated), the leader
// signals `lost` at least leaseDuration − renewDeadline (5 s by default) before a standby can take the lease.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import winston from 'winston';
import { KubeopError } from '../../errors.js';
import type { KubeClient } from '../../kube/client.js';
import { DRY_RUN_EXEMPT } from '../../kube/dry-run.js';
import { KubeApiError } from '../../kube/errors.js';
import type { Logger } from '../../logging.js';
import { sleep } from '../util/backoff.js';
import { describeError } from '../util/describe-error.js';
import { FailureStreak } from '../util/failure-streak.js';
import { type Lease, type LeaseSpec, leaseState, recordKey, releaseSpec, takeSpec } from './lease-record.js';

export interface LeaseElectorOptions {
  client: Pick<KubeClient, 'request'>;
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** Defaults to `defaultIdentity()`: the host name and a random suffix, unique per process. */
  identity?: string;
  /** How long a standby waits, from the last change of the lease it saw, before taking it. Defaults to 15 s. */
  leaseDurationMs?: number;
  /** How long the leader goes without a successful renewal before it gives up leading. Defaults to 10 s. */
  renewDeadlineMs?: number;
  /** Time between tries to acquire or renew. Defaults to 2 s. */
  retryPeriodMs?: number;
  /** Defaults to a silent logger. */
  logger?: Logger;
  /** A monotonic clock in ms. Defaults to `performance.now()`. */
  now?: () => number;
}

/**
 * Leadership was lost against our will (`reason`: the lease's renew deadline passed, another replica took it, or it
 * was deleted): the elector's `lost` signal aborts with it, and the manager stops and fails with it.
 */
export class LeadershipLostError extends KubeopError {
  override readonly name = 'LeadershipLostError';
  readonly code = 'LEADERSHIP_LOST';
  constructor(
    /** undefined when an elector other than LeaseElector gave no reason. */
    readonly reason: 'renew-deadline' | 'taken' | 'deleted' | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `<hostname>_<uuid>`, as controller-runtime: two replicas on one host (or a restarted one) never share it. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

type State = 'idle' | 'acquiring' | 'leading' | 'lost' | 'released' | 'stopped';

export class LeaseElector {
  readonly identity: string;
  /** Aborted, with a `LeadershipLostError`, when leadership is lost against our will; never by release() or stop(). */
  readonly lost: AbortSignal;
  /** Resolves once the lease has been read (or created): from then on this replica is able to take over. */
  readonly ready: Promise<void>;

  private state: State = 'idle';
  private readonly lostController = new AbortController();
  /** Aborted by stop(), release() and loss: ends the loops and their requests in flight. */
  private readonly loops = new AbortController();
  private markReady!: () => void;
  private readied = false;
  /** The lease as last read or written, with its resourceVersion. */
  private lease: Lease | undefined;
  private observed = { key: '', atMs: 0 };
  /** When the last successful write as leader was *sent*. */
  private renewedAtMs = 0;
  private lossTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly path: string;

  constructor(private readonly options: LeaseElectorOptions) {
    this.identity = options.identity ?? defaultIdentity();
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.logger = options.logger ?? winston.createLogger({ silent: true });
    this.now = options.now ?? (() => performance.now());
    this.lost = this.lostController.signal;
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`;
  }

  get isLeader(): boolean {
    return this.state === 'leading';
  }

  /** The lease has been read at least once: the replica is able to take over (for readiness). */
  get isReady(): boolean {
    return this.readied;
  }

  /** The holder as last seen, for logs; undefined when free or not read yet. */
  get holder(): string | undefined {
    return this.lease?.spec?.holderIdentity || undefined;
  }

  private get leaseRef(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }

  /** Tries every retry period until leading (true), or until `signal` aborts or stop() is called (false). Once per elector. */
  async acquire(signal?: AbortSignal): Promise<boolean> {
    if (this.state !== 'idle') throw new Error(`acquire() may be called once per LeaseElector (it is ${this.state})`);
    this.state = 'acquiring';
    const cancel = signal ? AbortSignal.any([signal, this.loops.signal]) : this.loops.signal;
    const startedAtMs = this.now();
    const failures = new FailureStreak(this.now);
    let waitingFor: string | undefined;
    while (!cancel.aborted) {
      const sentAtMs = this.now();
      try {
        const state = await this.tryAcquire(cancel);
        failures.succeed();
        if (state === 'taken' && cancel.aborted) {
          // Taken just as we were told to stop: nothing ran as leader, so hand it back rather than let it expire.
          this.state = 'leading';
          await this.release();
          return false;
        }
        if (state === 'taken') {
          this.startLeading(sentAtMs);
          this.logger.info(
            `became the leader of lease ${this.leaseRef} after ${Math.round(this.now() - startedAtMs)} ms`,
            { identity: this.identity },
          );
          return true;
        }
        if (this.holder && this.holder !== waitingFor)
          this.logger.info(`lease ${this.leaseRef} is held by ${this.holder}; standing by`, {
            identity: this.identity,
          });
        waitingFor = this.holder;
      } catch (error) {
        if (cancel.aborted) break;
        const failure = failures.fail({ baseMs: this.retryPeriodMs, capMs: this.retryPeriodMs });
        if (failure.warn)
          this.logger.warn(
            `cannot read or take lease ${this.leaseRef} (failure ${failure.attempt}): ${describe(error)}`,
          );
      }
      // Up to 20 % early, so that standbys started together spread out; never later than one retry period.
      await sleep(this.retryPeriodMs * (1 - 0.2 * Math.random()), cancel);
    }
    if (this.state === 'acquiring') this.state = 'stopped';
    return false;
  }

  /**
   * Hands the lease over (no holder, 1 s duration) so a standby takes it at its next try, and stops renewing.
   * Call it only once nothing done as leader is still running: the next leader may start right after.
   * A no-op when not leading; a failure is logged, and the lease then expires as usual.
   */
  async release(): Promise<void> {
    if (this.state !== 'leading') return this.stop();
    this.state = 'released';
    this.endLoops();
    await this.renewing;
    try {
      let lease = this.lease;
      // A 409 means the lease changed since our last write: read it and release only if it is still ours.
      for (let attempt = 0; lease?.spec?.holderIdentity === this.identity && attempt < 3; attempt++) {
        try {
          await this.write('PUT', { ...lease, spec: releaseSpec(lease.spec, new Date()) }, this.renewDeadlineMs);
          this.logger.info(`released lease ${this.leaseRef}`, { identity: this.identity });
          return;
        } catch (error) {
          if (!(error instanceof KubeApiError && error.isConflict)) throw error;
          lease = await this.get(this.renewDeadlineMs);
        }
      }
    } catch (error) {
      this.logger.warn(
        `could not release lease ${this.leaseRef}; a standby takes over once it expires: ${describe(error)}`,
      );
    }
  }

  /** Ends acquiring and renewing without releasing: the lease stays held until it expires. */
  stop(): void {
    if (this.state === 'idle' || this.state === 'acquiring' || this.state === 'leading') this.state = 'stopped';
    this.endLoops();
  }

  private endLoops(): void {
    clearTimeout(this.lossTimer);
    this.loops.abort();
  }

  /** 'taken' when we hold the lease now, 'held' when another does and it has not expired. */
  private async tryAcquire(signal: AbortSignal): Promise<'taken' | 'held'> {
    const lease = await this.get(this.renewDeadlineMs, signal);
    if (!lease) {
      const created = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.name, namespace: this.options.namespace },
      } as const;
      return this.tryWrite(
        'POST',
        { ...created, spec: takeSpec(undefined, this.identity, this.leaseDurationMs, new Date()) },
        this.renewDeadlineMs,
        signal,
      );
    }
    if (leaseState(lease.spec, this.identity, this.observed.atMs, this.now()).kind === 'held') return 'held';
    return this.tryWrite(
      'PUT',
      { ...lease, spec: takeSpec(lease.spec, this.identity, this.leaseDurationMs, new Date()) },
      this.renewDeadlineMs,
      signal,
    );
  }

  /** A 409 on a write means another replica got there first (a create, or an update since our read). */
  private async tryWrite(
    method: 'POST' | 'PUT',
    lease: Lease,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<'taken' | 'held'> {
    try {
      await this.write(method, lease, timeoutMs, signal);
      return 'taken';
    } catch (error) {
      if (error instanceof KubeApiError && error.isConflict) return 'held';
      throw error;
    }
  }

  private startLeading(sentAtMs: number): void {
    this.state = 'leading';
    this.renewedAtMs = sentAtMs;
    this.armLossTimer();
    this.renewing = this.renewLoop();
  }

  /** Loss is signalled by a timer, not by a renewal attempt returning: a request may hang past the deadline. */
  private armLossTimer(): void {
    clearTimeout(this.lossTimer);
    const leftMs = this.renewedAtMs + this.renewDeadlineMs - this.now();
    this.lossTimer = setTimeout(
      () => {
        this.lose(
          'renew-deadline',
          `no successful renewal of lease ${this.leaseRef} for ${this.renewDeadlineMs} ms (the renew deadline)`,
        );
      },
      Math.max(0, leftMs),
    );
  }

  private async renewLoop(): Promise<void> {
    const signal = this.loops.signal;
    const failures = new FailureStreak(this.now);
    for (;;) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      const sentAtMs = this.now();
      try {
        await this.renew(signal);
        if (this.state !== 'leading') return;
        this.renewedAtMs = sentAtMs;
        this.armLossTimer();
        const streak = failures.succeed();
        if (streak)
          this.logger.info(
            `renewed lease ${this.leaseRef} again, after ${streak.failures} failed tries over ${Math.round(streak.durationMs)} ms`,
          );
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof LeadershipLostError) return this.lose(error.reason, error.message);
        const failure = failures.fail({ baseMs: this.retryPeriodMs, capMs: this.retryPeriodMs });
        const leftMs = Math.round(this.renewedAtMs + this.renewDeadlineMs - this.now());
        if (failure.warn)
          this.logger.warn(
            `cannot renew lease ${this.leaseRef} (failure ${failure.attempt}, ${leftMs} ms left before giving up leadership): ${describe(error)}`,
          );
      }
    }
  }

  private async renew(signal: AbortSignal): Promise<void> {
    // Each request may take only the time left before the deadline: a hung connection cannot outlive leadership.
    const left = () => Math.max(1, Math.ceil(this.renewedAtMs + this.renewDeadlineMs - this.now())); // timers take whole ms
    const spec = (old: LeaseSpec | undefined) => takeSpec(old, this.identity, this.leaseDurationMs, new Date());
    // Usually the lease is as we last wrote it: one PUT. A 409 means it changed: read it, then decide.
    if (
      this.lease &&
      (await this.tryWrite('PUT', { ...this.lease, spec: spec(this.lease.spec) }, left(), signal)) === 'taken'
    )
      return;
    const lease = await this.get(left(), signal);
    if (!lease) throw new LeadershipLostError('deleted', `lease ${this.leaseRef} was deleted while we held it`);
    if (lease.spec?.holderIdentity !== this.identity) {
      throw new LeadershipLostError(
        'taken',
        `lease ${this.leaseRef} is held by ${lease.spec?.holderIdentity || 'nobody'} now`,
      );
    }
    await this.write('PUT', { ...lease, spec: spec(lease.spec) }, left(), signal);
  }

  private lose(reason: LeadershipLostError['reason'], message: string): void {
    if (this.state !== 'leading') return;
    this.state = 'lost';
    this.endLoops();
    this.logger.info(`lost leadership: ${message}`, { identity: this.identity });
    this.lostController.abort(new LeadershipLostError(reason, message));
  }

  /** Reads the lease (undefined if there is none) and notes when its record last changed, by our clock. */
  private async get(timeoutMs: number, signal?: AbortSignal): Promise<Lease | undefined> {
    let lease: Lease | undefined;
    try {
      // Not held up by --kube-api-qps: a throttled renewal past its deadline would end the leadership.
      lease = await this.options.client.request<Lease>('GET', `${this.path}/${this.options.name}`, {
        timeoutMs,
        signal,
        throttle: false,
      });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.isNotFound)) throw error;
    }
    this.seen(lease);
    return lease;
  }

  private async write(method: 'POST' | 'PUT', lease: Lease, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const path = method === 'POST' ? this.path : `${this.path}/${this.options.name}`;
    // Written for real under --dry-run too: two dry-run replicas would both lead on a Lease never stored. Never
    // throttled either: a renewal that waits for a token can miss its deadline and end the leadership.
    const options = { body: lease, timeoutMs, signal, throttle: false, [DRY_RUN_EXEMPT]: true };
    this.seen(await this.options.client.request<Lease>(method, path, options));
  }

  private seen(lease: Lease | undefined): void {
    this.lease = lease;
    const key = recordKey(lease?.spec);
    if (key !== this.observed.key) this.observed = { key, atMs: this.now() };
    if (!this.readied) {
      this.readied = true;
      this.markReady();
    }
  }
}

/** A denial says which permissions the lease needs. */
function describe(error: unknown): string {
  const needs =
    error instanceof KubeApiError && error.isForbidden
      ? ' (the service account needs get, create and update on leases.coordination.k8s.io)'
      : '';
  return describeError(error) + needs;
}
