// One resource's pipeline: watch (its own objects, the objects they own, timers) → intents keyed by object →
// work queue → dispatch → run; failures go through the failure policy.
import type { ResourceDescription } from '../../explorer.js';
import { objectKey } from '../../kube/objects.js';
import { fullName, type ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import {
  type Action,
  decide,
  hasWork,
  type Intent,
  intentFor,
  mergeIntents,
  NOTHING,
  retryIntent,
} from '../dispatch/dispatch.js';
import { handlerNameOf, type HandlerRef } from '../dispatch/handlers.js';
import { type ControllerMetrics, NOOP_CONTROLLER_METRICS, type ReconcileResult } from '../metrics/metrics.js';
import {
  describeWork,
  execute,
  type ExecuteContext,
  type OwedStatus,
  owesAcrossRestart,
  recordOwed,
} from '../run/execute.js';
import { StatusWriteError } from '../run/status-errors.js';
import type { HandlerDependencies } from '../run/handler-runner.js';
import { PrunedFieldReports } from '../run/status-reports.js';
import type { WatchEvent } from '../types/watch-event.js';
import { WorkQueue } from '../queue/work-queue.js';
import type { CacheOptions, Informers } from '../watch/informers.js';
import type { ResourceWatcher } from '../watch/watcher.js';
import { EventRecorder } from './events.js';
import { type FailedWork, failurePolicy } from './failure-policy.js';
import { FailureReport } from './failure-report.js';
import { Triggers } from './triggers.js';

export interface ControllerOptions extends HandlerDependencies {
  description: ResourceDescription;
  namespace: string | undefined;
  /** Where the controller gets its (shared) watchers. */
  informers: Informers;
  /** The `@Owns` types, with their scope from discovery. */
  owned: Array<ResourceRef & CacheOptions>;
  /** Defaults to none. */
  metrics?: ControllerMetrics;
}

export interface ControllerStats {
  handled: number;
  failed: number;
  retries: number;
  timeouts: number;
  running: number;
  queued: number;
}

export class ResourceController {
  /** The handled objects' watcher (shared with other controllers that need the same objects). */
  readonly watcher: ResourceWatcher;
  /** Watchers of the owned types. */
  private readonly ownedWatchers: ResourceWatcher[];
  private readonly triggers: Triggers;
  private readonly unsubscribe: () => void;
  /** Each object's pending intent, its failures and their backoff. */
  private readonly queue: WorkQueue<Intent>;
  /** uids whose @OnDeleted succeeded; forgotten once the object is gone. */
  private readonly handledDeletions = new Set<string>();
  private readonly logger: Logger;
  private readonly metrics: ControllerMetrics;
  private readonly shutdown = new AbortController();
  /** What each object's current run is doing, to name the runs a shutdown abandons. */
  private readonly runs = new Map<string, { what: string; startedAt: number }>();
  private readonly report: FailureReport;
  /** What every run is given, but its attempt. */
  private readonly runContext: Omit<ExecuteContext, 'attempt'>;
  readonly stats: ControllerStats = { handled: 0, failed: 0, retries: 0, timeouts: 0, running: 0, queued: 0 };

  constructor(private readonly options: ControllerOptions) {
    const { description, namespace, config, informers } = options;
    this.logger = options.logger.child({ resource: fullName(description.resource) });
    this.report = new FailureReport(this.logger, new EventRecorder(options.client, config.name, this.logger));
    const pruned = new PrunedFieldReports(fullName(description.resource), this.logger);
    const metrics = (this.metrics = options.metrics ?? NOOP_CONTROLLER_METRICS);
    this.queue = new WorkQueue<Intent>((key, intent) => this.reconcile(key, intent), {
      concurrency: config.maxConcurrent,
      merge: mergeIntents,
      backoff: { baseMs: config.retry.baseSeconds * 1000, capMs: config.retry.maxSeconds * 1000 },
      observer: {
        added: () => metrics.queueAdd(),
        started: (queuedMs) => metrics.workStarted(queuedMs / 1000),
        done: (workMs) => metrics.workDone(workMs / 1000),
      },
    });
    this.runContext = {
      description,
      deps: options,
      handledDeletions: this.handledDeletions,
      logger: this.logger,
      shutdown: this.shutdown.signal,
      onPruned: (fields) => pruned.report(fields),
      onStatusWritten: () => metrics.statusWrite(),
    };
    const { labelSelector, fieldSelector, keepManagedFields } = description.resource;
    this.watcher = informers.get(
      description.resource,
      namespace,
      { labelSelector, fieldSelector },
      { keepManagedFields },
    );
    this.ownedWatchers = options.owned.map(({ metadataOnly, ...type }) =>
      informers.get(type, namespace, {}, { metadataOnly }),
    );
    this.triggers = new Triggers({
      description,
      primary: this.watcher,
      owned: this.ownedWatchers,
      resyncPeriodSeconds: config.resyncPeriodSeconds,
      logger: this.logger,
      // A tick runs its timer now, beside a failed handler's backoff; a nudge waits that backoff out.
      enqueue: (key, intent) => this.queue.add(key, intent, intent.timers?.length ? 'beside' : 'after-backoff'),
      isRunning: (key) => this.queue.isProcessing(key),
    });
    this.unsubscribe = this.watcher.subscribe((event) => this.onEvent(event));
    // Read at scrape time only: nothing is paid per event for these.
    metrics.observe({
      depth: () => this.queue.depth,
      cacheSize: () => this.watcher.cache.size,
      inFlight: () => [...this.runs.values()].map((run) => run.startedAt),
    });
  }

  /** Every watcher this controller reads: its own objects' first, then the owned types'. */
  get watchers(): ResourceWatcher[] {
    return [this.watcher, ...this.ownedWatchers];
  }

  start(): void {
    this.triggers.start();
    for (const watcher of this.watchers) watcher.start();
  }

  /** `plural.group`, the `controller` label of metrics. */
  get resourceName(): string {
    return fullName(this.options.description.resource);
  }

  /** Starts nothing new and aborts the running handlers' `this.signal` at once, without waiting (leadership lost). */
  abandon(): void {
    this.shutdown.abort(new Error('leadership was lost'));
    this.detach();
    void this.queue.shutdown(0);
  }

  /** Takes no more events; the watchers themselves are shared and stopped by their owner. */
  private detach(): void {
    this.unsubscribe();
    this.triggers.stop();
  }

  /**
   * Stops watching, starts nothing new, aborts the running handlers' `this.signal` and lets them finish
   * within `timeoutMs`; names those that did not.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    if (!this.shutdown.signal.aborted) this.shutdown.abort(new Error('the operator is shutting down'));
    this.detach();
    const drained = await this.queue.shutdown(timeoutMs);
    const now = Date.now();
    for (const [key, run] of this.runs) {
      this.logger.warn(`abandoned at shutdown after ${Math.round((now - run.startedAt) / 1000)} s: ${run.what}`, {
        object: key,
      });
    }
    return drained;
  }

  private onEvent(event: WatchEvent): void {
    const key = objectKey(event.object);
    this.triggers.onPrimaryEvent(event, key);
    const intent = intentFor(event, this.options.description);
    // The object's own change is news for every pending run, a retry's included: it runs now.
    if (intent) this.queue.add(key, intent);
  }

  private async reconcile(key: string, intent: Intent): Promise<void> {
    const started = performance.now();
    const { status, ...rest } = intent;
    const object = this.watcher.cache.get(key);
    let result: ReconcileResult;
    if (status !== undefined && object) {
      // A status a run could not write goes first, without running the handler again.
      result = await this.attempt(key, rest, { kind: 'status', patch: status, object });
      // A retry of the status holds the rest; a status given up on does not hold it up.
      if (result !== 'error' && (hasWork(rest) || rest.deleted)) this.queue.add(key, rest);
    } else {
      const decision = decide(rest, object, this.options.description, this.handledDeletions);
      const { action } = decision;
      if (action.kind === 'skip') {
        this.logger.debug(`skipped ${key}: ${action.reason}`);
        if (intent.deleted) this.handledDeletions.delete(intent.deleted.metadata.uid ?? '');
      }
      result = await this.attempt(key, rest, action);
      // After a failure the retry holds the whole intent, the rest included.
      // Work left for the same object is no request of the handler's: the result stays as controller-runtime counts it.
      if (decision.rest && (result === 'success' || result === 'requeue_after' || result === 'requeue'))
        this.queue.add(key, decision.rest);
    }
    this.metrics.reconcileDone(result, (performance.now() - started) / 1000);
  }

  /** Runs one action and settles its outcome: success bookkeeping, or the failure policy's decision. */
  private async attempt(key: string, intent: Intent, action: Action | OwedStatus): Promise<ReconcileResult> {
    const { description } = this.options;
    const what = action.kind === 'skip' ? '' : describeWork(action, key, description);
    this.stats.running++;
    if (action.kind !== 'skip') this.runs.set(key, { what, startedAt: Date.now() });
    try {
      const requeueAfter =
        action.kind === 'skip'
          ? undefined
          : await execute(action, { ...this.runContext, attempt: this.queue.failuresOf(key) + 1 });
      // A run beside a backoff (a timer's) leaves the failures of the work still owed counted.
      if (!this.queue.inBackoff(key)) this.queue.forget(key);
      if (action.kind !== 'call') return 'success';
      this.stats.handled++;
      this.report.succeeded(key);
      this.metrics.handlerRun(this.label(action.handler), requeueAfter === undefined ? 'success' : 'requeue');
      if (requeueAfter === undefined || action.handler === 'deleted') return 'success';
      this.metrics.retry();
      const requeue: Intent = { ...NOTHING, retry: action.handler, reasons: [{ type: 'requeue' }] };
      this.queue.addAfter(key, requeue, requeueAfter * 1000);
      // controller-runtime's meanings: `requeue` when the handler asked to run again at once, else `requeue_after`.
      return requeueAfter > 0 ? 'requeue_after' : 'requeue';
    } catch (thrown) {
      this.stats.failed++;
      return this.onFailure(key, intent, action, what, thrown);
    } finally {
      this.runs.delete(key);
      this.stats.running--;
    }
  }

  /** Asks the failure policy what follows, and does it; returns how the reconcile ended, for metrics. */
  private onFailure(key: string, intent: Intent, action: Action | OwedStatus, what: string, thrown: unknown) {
    const attempt = this.queue.failuresOf(key) + 1;
    const work: FailedWork =
      action.kind === 'skip'
        ? { kind: 'none' }
        : action.kind === 'call'
          ? { kind: 'call', handler: this.label(action.handler), what, removeFinalizer: action.removeFinalizer }
          : { kind: 'step', what };
    const decision = failurePolicy({
      thrown,
      work,
      key,
      attempt,
      backoffMs: this.queue.backoffFor(attempt),
      heldMs: this.queue.heldFor(key),
      shuttingDown: this.shutdown.signal.aborted,
    });
    if (decision.timedOut) this.metrics.timeout();
    if (decision.statusFailure) this.metrics.statusWriteFailure(decision.statusFailure);
    if (decision.handlerOutcome && work.kind === 'call') this.metrics.handlerRun(work.handler, decision.handlerOutcome);
    const object = action.kind === 'skip' ? this.watcher.cache.get(key) : action.object;
    this.report.tell(decision, key, object);
    if (!decision.retry) {
      this.queue.forget(key);
      if (decision.releaseFinalizer && object) {
        this.handledDeletions.add(object.metadata.uid ?? '');
        this.queue.add(key, { ...NOTHING, sync: true });
      }
      return decision.result;
    }
    this.stats.retries++;
    if (decision.timedOut) this.stats.timeouts++;
    this.metrics.retry();
    const unsent = thrown instanceof StatusWriteError ? thrown.unsent : undefined;
    const reason = { type: 'retry' as const, handler: work.kind === 'call' ? work.handler : '', attempt: attempt + 1 };
    this.queue.addRateLimited(key, retryIntent(intent, action, unsent, reason), decision.retry.delayMs);
    if (action.kind === 'call' && owesAcrossRestart(this.options.description, action.handler)) {
      recordOwed(this.options.description, this.options, action.object, 'added').catch((error: unknown) =>
        this.logger.warn(`could not record the owed run of ${key}: ${(error as Error).message}`, { object: key }),
      );
    }
    return decision.result;
  }

  private label(handler: HandlerRef): string {
    return handlerNameOf(this.options.description, handler);
  }
}
