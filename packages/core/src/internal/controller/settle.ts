// Carries out how an attempt ended: a success's report and requeue, or the failure policy's decision (report,
// metrics, retry after its delay or give up, the finalizer released, the owed run recorded).
import type { ResourceDescription } from '../../explorer.js';
import type { KubeObject } from '../../kube/objects.js';
import type { Logger } from '../../logging.js';
import { type Action, type Intent, NOTHING, retryIntent } from '../dispatch/dispatch.js';
import { handlerNameOf, type HandlerRef } from '../dispatch/handlers.js';
import type { ControllerMetrics, ReconcileResult } from '../metrics/metrics.js';
import type { WorkQueue } from '../queue/work-queue.js';
import { type OwedStatus, owesAcrossRestart, recordOwed } from '../run/execute.js';
import type { HandlerDependencies } from '../run/handler-runner.js';
import { StatusWriteError } from '../run/status-errors.js';
import { describeError } from '../util/describe-error.js';
import { failedWork, successOutcome } from './attempt-outcome.js';
import { EventRecorder } from './events.js';
import { type FailureDecision, failurePolicy } from './failure-policy.js';
import { FailureReport } from './failure-report.js';
import type { ControllerStats } from './stats.js';

export interface SettleContext {
  description: ResourceDescription;
  deps: HandlerDependencies;
  queue: WorkQueue<Intent>;
  metrics: ControllerMetrics;
  stats: ControllerStats;
  /** uids whose @OnDeleted succeeded, or gave up for good: their finalizer goes. */
  handledDeletions: Set<string>;
  logger: Logger;
  /** The latest known state of an object. */
  latest: (key: string) => KubeObject | undefined;
  shutdown: AbortSignal;
}

export class Settle {
  private readonly report: FailureReport;

  constructor(private readonly context: SettleContext) {
    const { deps, logger } = context;
    this.report = new FailureReport(logger, new EventRecorder(deps.client, deps.config.name, logger));
  }

  /** `action` succeeded (with the handler's `requeueAfter`, if any); returns the reconcile's result. */
  succeeded(key: string, action: Action | OwedStatus, requeueAfter: number | undefined): ReconcileResult {
    if (action.kind !== 'call') return 'success';
    const { queue, metrics, stats } = this.context;
    const { report } = this;
    const outcome = successOutcome(action.handler, requeueAfter);
    stats.handled++;
    report.succeeded(key);
    metrics.handlerRun(this.name(action.handler), outcome.handlerOutcome);
    if (outcome.requeue) {
      metrics.retry();
      queue.addAfter(key, outcome.requeue.intent, outcome.requeue.delayMs);
    }
    return outcome.result;
  }

  /** `action` (described as `what`) threw: asks the failure policy what follows, and does it. */
  failed(key: string, intent: Intent, action: Action | OwedStatus, what: string, thrown: unknown): ReconcileResult {
    const { queue, metrics, stats } = this.context;
    stats.failed++;
    const attempt = queue.failuresOf(key) + 1;
    const work = failedWork(action, what, (handler) => this.name(handler));
    const decision = failurePolicy({
      thrown,
      work,
      key,
      attempt,
      backoffMs: queue.backoffFor(attempt),
      heldMs: queue.heldFor(key),
      shuttingDown: this.context.shutdown.aborted,
    });
    if (decision.timedOut) metrics.timeout();
    if (decision.statusFailure) metrics.statusWriteFailure(decision.statusFailure);
    if (decision.handlerOutcome && work.kind === 'call') metrics.handlerRun(work.handler, decision.handlerOutcome);
    const object = action.kind === 'skip' ? this.context.latest(key) : action.object;
    this.report.tell(decision, key, object);
    if (!decision.retry) {
      this.giveUp(key, decision, object);
      return decision.result;
    }
    stats.retries++;
    if (decision.timedOut) stats.timeouts++;
    metrics.retry();
    const unsent = thrown instanceof StatusWriteError ? thrown.unsent : undefined;
    const reason = { type: 'retry' as const, handler: work.kind === 'call' ? work.handler : '', attempt: attempt + 1 };
    queue.addRateLimited(key, retryIntent(intent, action, unsent, reason), decision.retry.delayMs);
    if (action.kind === 'call') this.recordOwed(key, action.handler, action.object);
    return decision.result;
  }

  /** No retry: the failures are forgotten; a deletion given up on still loses its finalizer. */
  private giveUp(key: string, decision: FailureDecision, object: KubeObject | undefined): void {
    this.context.queue.forget(key);
    if (!decision.releaseFinalizer || !object) return;
    this.context.handledDeletions.add(object.metadata.uid ?? '');
    this.context.queue.add(key, { ...NOTHING, sync: true });
  }

  /** A retry the state rule would skip after a restart is written on the object, so it survives one. */
  private recordOwed(key: string, handler: HandlerRef, object: KubeObject): void {
    const { description, deps, logger } = this.context;
    if (!owesAcrossRestart(description, handler)) return;
    recordOwed(description, deps, object, 'added').catch((error: unknown) =>
      logger.warn(`could not record the owed run of ${key}: ${describeError(error)}`, { object: key }),
    );
  }

  private name(handler: HandlerRef): string {
    return handlerNameOf(this.context.description, handler);
  }
}
