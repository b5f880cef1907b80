// What starts and stops together: the controllers, the leader elector, leader-only tasks, the metrics and probe servers.
import type { RuntimeConfig } from '../../config.js';
import type { Logger } from '../../logging.js';
import type { ResourceController } from '../controller/controller.js';
import { LeadershipLostError } from '../leader/lease-elector.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Check } from '../serve/probes.js';
import type { ResourceWatcher } from '../watch/watcher.js';
import type { UnauthorizedStreak } from './unauthorized-streak.js';

/** What the manager needs of a leader elector. */
export interface Elector {
  /** Resolves true once leading, false if `signal` aborted first. */
  acquire(signal: AbortSignal): Promise<boolean>;
  /** Aborted, with a LeadershipLostError, when leadership is lost. */
  readonly lost: AbortSignal;
  /** Hands the lease over at once (on a clean stop), so a standby need not wait for it to expire. */
  release(): Promise<void>;
  stop(): void;
  readonly isLeader: boolean;
  /** Whether the lease has been read, so this replica is able to take over. */
  readonly isReady: boolean;
}

/** A server started with the manager (metrics, probes). */
export interface Server {
  close(): Promise<void>;
}

export interface ManagerParts {
  config: RuntimeConfig;
  logger: Logger;
  controllers: ResourceController[];
  /** The shared watchers the controllers read; stopped after them. */
  informers?: { stop(): Promise<void> };
  elector?: Elector;
  /** For leader_election_master_status. */
  metrics?: Pick<Metrics, 'leaderStatus'>;
  /** Fed by the client's every answer; /healthz fails when the credentials stay refused. */
  unauthorized?: Pick<UnauthorizedStreak, 'refusedForMs'>;
  /**
   * Work only the leader does, started with the controllers (storage migration); `signal` aborts on stop and when
   * leadership is lost. A task reports its own failures; a rejection is logged.
   */
  leaderTasks?: Array<{ name: string; run: (signal: AbortSignal) => Promise<unknown> }>;
}

export class Manager {
  private readonly stopping = new AbortController();
  private readonly leaderWork = new AbortController();
  private controllersStarted = false;
  private readonly servers: Server[] = [];
  private readonly extraReadyChecks: Check[] = [];
  private onFatal: (error: Error) => void = () => {};
  /** Rejects when the manager can no longer run (leadership lost); bootstrap exits non-zero on it. */
  readonly fatal = new Promise<never>((_, reject) => (this.onFatal = reject));

  constructor(private readonly parts: ManagerParts) {
    this.fatal.catch(() => undefined);
  }

  /** A server that stops with the manager. */
  addServer(server: Server): void {
    this.servers.push(server);
  }

  /** One more /readyz check (the webhook server's). */
  addReadyCheck(check: Check): void {
    this.extraReadyChecks.push(check);
  }

  get controllers(): ResourceController[] {
    return this.parts.controllers;
  }

  /** Starts the controllers, at once or once leading; resolves without waiting for leadership. */
  start(): void {
    const { elector, logger } = this.parts;
    if (!elector) return this.startControllers();
    this.reportLeading(false);
    logger.info('waiting to be elected leader before handling objects (standby replicas watch nothing)');
    elector.acquire(this.stopping.signal).then(
      (leading) => {
        if (!leading || this.stopping.signal.aborted) return;
        this.reportLeading(true);
        elector.lost.addEventListener('abort', () => this.onLeadershipLost(elector.lost.reason), { once: true });
        if (!elector.lost.aborted) this.startControllers();
        else this.onLeadershipLost(elector.lost.reason);
      },
      (error: unknown) => this.onFatal(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /**
   * Stops the controllers (running handlers get `shutdownTimeoutSeconds` to finish), then releases the
   * lease so a standby takes over at once, then closes the servers. True if every handler finished.
   */
  async stop(): Promise<boolean> {
    this.stopping.abort();
    this.leaderWork.abort();
    const { controllers, elector, config, informers } = this.parts;
    const [results] = await Promise.all([
      Promise.all(controllers.map((c) => c.stop(config.shutdownTimeoutSeconds * 1000))),
      informers?.stop(),
    ]);
    // Released only after the handlers stopped: a successor must not start while ours still write.
    if (elector?.isLeader) await elector.release();
    elector?.stop();
    if (elector) this.reportLeading(false);
    await Promise.all(this.servers.map((s) => s.close()));
    return results.every(Boolean);
  }

  /**
   * Liveness: a watch loop that made no progress well past its watchdog is stuck, and credentials the API server keeps
   * refusing (a revoked token) may be fresh after a restart; for both a restart is the cure. An API server that is down
   * or a resource that is not served is no reason: a restart cannot fix them, and the readiness says so.
   */
  healthChecks(): Check[] {
    const limitMs = (this.parts.config.watch.watchdogSeconds + 60) * 1000;
    const checks: Check[] = this.watchers.map((watcher) => ({
      name: `watch-${watcher.name}`,
      check: () => {
        if (!this.controllersStarted) return true;
        const idleMs = Date.now() - watcher.lastProgressAt;
        return idleMs <= limitMs || `the watch of ${watcher.name} made no progress for ${Math.round(idleMs / 1000)} s`;
      },
    }));
    const { unauthorized, config } = this.parts;
    const toleranceMs = (config.probes?.unauthorizedToleranceSeconds ?? 0) * 1000;
    if (unauthorized && toleranceMs > 0)
      checks.push({
        name: 'credentials',
        check: () => {
          const refusedMs = unauthorized.refusedForMs;
          if (refusedMs === undefined || refusedMs <= toleranceMs) return true;
          return (
            `the API server has refused the credentials (401 Unauthorized) for ${Math.round(refusedMs / 1000)} s ` +
            '(a revoked or expired token?); a restart reads them again'
          );
        },
      });
    return checks;
  }

  /**
   * Readiness: the leader (or a replica without election) once every resource was listed and while none has failed
   * to be listed or watched for longer than the tolerance; a standby as soon as it has read the lease and so can take
   * over, so that a rolling update proceeds.
   */
  readyChecks(): Check[] {
    const { elector, config } = this.parts;
    const toleranceMs = (config.probes?.watchFailureToleranceSeconds ?? 0) * 1000;
    const checks: Check[] = [
      {
        name: 'synced',
        check: () => {
          if (elector && !elector.isLeader) return elector.isReady || 'the lease has not been read yet';
          const pending = this.watchers.filter((watcher) => !watcher.isSynced).map((watcher) => watcher.name);
          return pending.length === 0 || `not listed yet: ${pending.join(', ')}`;
        },
      },
      ...this.extraReadyChecks,
    ];
    if (toleranceMs > 0)
      checks.push({
        name: 'watches',
        check: () => {
          if (!this.controllersStarted) return true;
          const now = Date.now();
          const failing = this.watchers.flatMap((watcher) => {
            const failure = watcher.failing;
            if (!failure || now - failure.since <= toleranceMs) return [];
            const reason = failure.reason.length > 300 ? `${failure.reason.slice(0, 300)}…` : failure.reason;
            return [
              `${watcher.name} cannot be listed or watched for ${Math.round((now - failure.since) / 1000)} s: ${reason}`,
            ];
          });
          return failing.length === 0 || failing.join('; ');
        },
      });
    return checks;
  }

  /** Every watcher the controllers read, once each: controllers share the watchers of the same objects. */
  private get watchers(): ResourceWatcher[] {
    return [...new Set(this.parts.controllers.flatMap((controller) => controller.watchers))];
  }

  /** leader_election_master_status of this replica's Lease. */
  private reportLeading(leading: boolean): void {
    this.parts.metrics?.leaderStatus(this.parts.config.leaderElection?.leaseName ?? '', leading);
  }

  private startControllers(): void {
    if (this.controllersStarted) return;
    this.controllersStarted = true;
    for (const controller of this.parts.controllers) controller.start();
    for (const task of this.parts.leaderTasks ?? [])
      task.run(this.leaderWork.signal).catch((error: unknown) => {
        if (this.leaderWork.signal.aborted) return;
        this.parts.logger.error(`${task.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  }

  /** Starts no handler from now on and aborts the running ones; the process then exits (see `fatal`). */
  private onLeadershipLost(reason: unknown): void {
    const message = `leadership lost (${reason instanceof Error ? reason.message : String(reason)}): stopping handlers and exiting, to restart clean`;
    this.parts.logger.error(message);
    this.reportLeading(false);
    this.leaderWork.abort();
    for (const controller of this.parts.controllers) controller.abandon();
    void this.parts.informers?.stop();
    // The process must exit and start clean (as controller-runtime does).
    const why = reason instanceof LeadershipLostError ? reason.reason : undefined;
    this.onFatal(new LeadershipLostError(why, message, { cause: reason }));
  }
}
