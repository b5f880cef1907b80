// One resource's pipeline: watch (its own objects, the objects they own, timers) → intents keyed by object →
// work queue → handler runs, retries, finalizers.
import type { ResourceDescription } from '../../explorer.js';
import { PermanentError, TemporaryError } from '../../errors.js';
import { MERGE_PATCH } from '../../kube/client.js';
import { type AnyObject, objectKey } from '../../kube/objects.js';
import { fullName, objectPath, type ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import { backoffDelay } from '../util/backoff.js';
import {
  type Action,
  decide,
  HANDLED_GENERATION_ANNOTATION,
  handledGeneration,
  type Intent,
  intentFor,
  mergeIntents,
  NOTHING,
} from '../dispatch/dispatch.js';
import { mergeReasons } from '../dispatch/reasons.js';
import { EventRecorder } from './events.js';
import { addFinalizer, FinalizerError, removeFinalizer } from './finalizers.js';
import { handlerLabel, type HandlerRef } from '../dispatch/handlers.js';
import { type HandlerDependencies, runHandler } from '../run/handler-runner.js';
import {
  type ControllerMetrics,
  NOOP_CONTROLLER_METRICS,
  type ReconcileResult,
  statusFailureClass,
} from '../metrics/metrics.js';
import {
  InvalidStatusError,
  ObjectGoneError,
  StatusSubresourceMissingError,
  StatusWriteError,
} from '../run/status-errors.js';
import { HandlerTimeoutError } from '../run/supervise.js';
import type { CacheOptions, Informers } from '../watch/informers.js';
import type { ResourceWatcher, WatchEvent } from '../watch/watcher.js';
import { WorkQueue } from '../queue/work-queue.js';
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

interface RunningWork {
  what: string;
  startedAt: number;
}

export class ResourceController {
  /** The handled objects' watcher (shared with other controllers that need the same objects). */
  readonly watcher: ResourceWatcher;
  /** Watchers of the owned types. */
  private readonly ownedWatchers: ResourceWatcher[];
  private readonly triggers: Triggers;
  private readonly unsubscribe: () => void;
  private readonly queue: WorkQueue;
  private readonly pending = new Map<string, Intent>();
  private readonly attempts = new Map<string, number>();
  /** uids whose @OnDeleted succeeded; forgotten once the object is gone. */
  private readonly handledDeletions = new Set<string>();
  private readonly logger: Logger;
  private readonly events: EventRecorder;
  private readonly metrics: ControllerMetrics;
  private readonly shutdown = new AbortController();
  /** What each object's current run is doing, to name the runs a shutdown abandons. */
  private readonly runs = new Map<string, RunningWork>();
  /** Generation per object whose invalid status was reported: reported once, not retried until it changes. */
  private readonly invalidStatusReported = new Map<string, number | undefined>();
  private readonly prunedReported = new Set<string>();
  private statusSubresourceMissingReported = false;
  readonly stats: ControllerStats = { handled: 0, failed: 0, retries: 0, timeouts: 0, running: 0, queued: 0 };

  constructor(private readonly options: ControllerOptions) {
    const { description, namespace, config, informers } = options;
    this.logger = options.logger.child({ resource: fullName(description.resource) });
    this.events = new EventRecorder(options.client, config.name, this.logger);
    this.metrics = options.metrics ?? NOOP_CONTROLLER_METRICS;
    const metrics = this.metrics;
    this.queue = new WorkQueue((key) => this.reconcile(key), config.maxConcurrent, {
      added: () => metrics.queueAdd(),
      started: (queuedMs) => metrics.workStarted(queuedMs / 1000),
      done: (workMs) => metrics.workDone(workMs / 1000),
    });
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
      enqueue: (key, intent) => this.enqueue(key, intent),
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
    if (intent) this.enqueue(key, intent);
  }

  private enqueue(key: string, intent: Intent): void {
    this.pending.set(key, mergeIntents(this.pending.get(key), intent));
    this.queue.add(key);
  }

  private async reconcile(key: string): Promise<void> {
    const intent = this.pending.get(key);
    if (!intent) return;
    this.pending.delete(key);
    const { action, rest } = decide(
      intent,
      this.watcher.cache.get(key),
      this.options.description,
      this.handledDeletions,
    );
    if (action.kind === 'skip') {
      this.logger.debug(`skipped ${key}: ${action.reason}`);
      if (intent.deleted) this.handledDeletions.delete(intent.deleted.metadata.uid ?? '');
    }
    this.stats.running++;
    if (action.kind !== 'skip') this.runs.set(key, { what: this.describeAction(action, key), startedAt: Date.now() });
    const started = performance.now();
    let result: ReconcileResult;
    try {
      const requeueAfter = await this.execute(key, action);
      this.attempts.delete(key);
      if (rest) this.requeue(key, rest, 0);
      if (requeueAfter !== undefined && action.kind === 'call' && action.handler !== 'deleted') {
        this.requeue(key, { ...NOTHING, retry: action.handler, reasons: [{ type: 'requeue' }] }, requeueAfter * 1000);
      }
      if (action.kind === 'call')
        this.metrics.handlerRun(this.label(action.handler), requeueAfter === undefined ? 'success' : 'requeue');
      result = requeueAfter !== undefined ? 'requeue_after' : rest ? 'requeue' : 'success';
    } catch (error) {
      this.countFailure(action, error);
      result = this.onFailure(key, intent, action, error);
    } finally {
      this.runs.delete(key);
      this.stats.running--;
    }
    this.metrics.reconcileDone(result, (performance.now() - started) / 1000);
  }

  /** A status that could not be written is not a failed handler: the handler's run is counted a success. */
  private countFailure(action: Action, error: unknown): void {
    if (error instanceof HandlerTimeoutError) this.metrics.timeout();
    if (error instanceof StatusWriteError) this.metrics.statusWriteFailure(statusFailureClass(error));
    if (action.kind !== 'call' || error instanceof FinalizerError) return;
    const outcome =
      error instanceof StatusWriteError
        ? 'success'
        : error instanceof HandlerTimeoutError
          ? 'timeout'
          : error instanceof PermanentError
            ? 'permanent'
            : 'error';
    this.metrics.handlerRun(this.label(action.handler), outcome);
  }

  private label(handler: HandlerRef): string {
    return handlerLabel(this.options.description, handler);
  }

  private async execute(key: string, action: Action): Promise<number | undefined> {
    const { client, description } = this.options;
    const finalizer = description.finalizer!;
    if (action.kind === 'skip') return undefined;
    const path = objectPath(description.resource, action.object.metadata.name, action.object.metadata.namespace);
    const target = { path, resource: fullName(description.resource), objectKey: key };
    if (action.kind === 'addFinalizer') return void (await addFinalizer(client, target, action.object, finalizer));
    if (action.kind === 'removeFinalizer') return void (await this.finishDeletion(target, action.object));
    if (action.addFinalizer) await addFinalizer(client, target, action.object, finalizer);
    const outcome = await runHandler(description, action.handler, action.object, this.options, {
      reasons: action.reasons,
      attempt: (this.attempts.get(key) ?? 0) + 1,
      shutdown: this.shutdown.signal,
      onPruned: (fields) => this.reportPruned(fields),
      onStatusWritten: () => this.metrics.statusWrite(),
    });
    this.stats.handled++;
    this.invalidStatusReported.delete(key);
    const modifiedHandler = description.handlers.modified;
    const editHandler = action.handler === 'added' || action.handler === 'modified';
    if (editHandler && modifiedHandler && !modifiedHandler.everyChange)
      await this.recordHandledGeneration(path, action.object);
    if (action.removeFinalizer) await this.finishDeletion(target, action.object);
    return outcome.requeueAfterSeconds;
  }

  /**
   * Lets a later start-up tell a spec change it missed (see intentFor). Only for a generation-filtered
   * @OnModified: an `everyChange` handler would be called again for this very write.
   */
  private async recordHandledGeneration(path: string, object: AnyObject): Promise<void> {
    const generation = object.metadata.generation;
    if (generation === undefined || handledGeneration(object) === generation) return;
    try {
      await this.options.client.request('PATCH', path, {
        body: { metadata: { annotations: { [HANDLED_GENERATION_ANNOTATION]: String(generation) } } },
        contentType: MERGE_PATCH,
      });
    } catch (error) {
      // Bookkeeping only: failing the run here would call a handler that succeeded again.
      this.logger.warn(`could not record the handled generation of ${objectKey(object)}: ${(error as Error).message}`);
    }
  }

  private async finishDeletion(target: Parameters<typeof removeFinalizer>[1], object: AnyObject): Promise<void> {
    const uid = object.metadata.uid ?? '';
    this.handledDeletions.add(uid);
    await removeFinalizer(this.options.client, target, object, this.options.description.finalizer!);
  }

  /** Logs, reports and schedules what follows a failure; returns how the reconcile ended, for metrics. */
  private onFailure(key: string, intent: Intent, action: Action, error: unknown): ReconcileResult {
    this.stats.failed++;
    if (action.kind === 'skip') {
      this.logger.error(`processing ${key} failed: ${describe(error)}`, { object: key });
      return 'error';
    }
    const object = action.object;
    const what = error instanceof FinalizerError ? 'finalizer update' : this.describeAction(action, key);
    const stack = error instanceof Error ? error.stack : String(error);
    if (this.shutdown.signal.aborted) {
      this.logger.warn(`${what} for ${key} ended by the shutdown: ${describe(error)}`, { object: key });
      return 'error';
    }
    if (error instanceof ObjectGoneError) {
      this.logger.info(error.message, { object: key });
      return 'success';
    }
    if (error instanceof StatusSubresourceMissingError) {
      this.onStatusSubresourceMissing(key, object, error);
      return 'terminal_error';
    }
    if (error instanceof InvalidStatusError) {
      this.onInvalidStatus(key, object, error);
      return 'terminal_error';
    }
    if (error instanceof PermanentError) {
      this.attempts.delete(key);
      this.logger.error(`${what} for ${key} failed permanently, not retrying: ${error.message}`, {
        object: key,
        stack,
      });
      this.events.record(object, {
        type: 'Warning',
        reason: 'PermanentFailure',
        message: `${what} failed permanently: ${error.message}`,
      });
      // A deletion must not hang forever on a handler that gave up: release the finalizer.
      if (action.kind === 'call' && action.removeFinalizer) {
        this.handledDeletions.add(object.metadata.uid ?? '');
        this.requeue(key, { added: false, modified: false, sync: true }, 0);
      }
      return 'terminal_error';
    }
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    this.stats.retries++;
    const { baseSeconds: retryDelay, maxSeconds: retryMaxDelay } = this.options.config.retry;
    const delayMs =
      error instanceof TemporaryError
        ? error.delaySeconds * 1000
        : backoffDelay({ baseMs: retryDelay * 1000, capMs: retryMaxDelay * 1000 }, attempt, 0.1);
    const timedOut = error instanceof HandlerTimeoutError;
    if (timedOut) this.stats.timeouts++;
    const message = error instanceof FinalizerError || timedOut ? error.message : `${what} failed: ${describe(error)}`;
    this.logger.error(`${message} (attempt ${attempt}); retrying in ${(delayMs / 1000).toFixed(1)} s`, {
      object: key,
      attempt,
      ...(action.kind === 'call' ? { handler: this.label(action.handler) } : {}),
      ...(timedOut ? {} : { stack }),
    });
    const reason = timedOut ? 'HandlerTimeout' : error instanceof FinalizerError ? 'FinalizerFailed' : 'HandlerFailed';
    this.events.record(object, { type: 'Warning', reason, message });
    // The state rule is about first sight: a failed run is owed again whatever status it wrote.
    if (action.kind === 'call' && action.handler !== 'deleted') {
      // The failed run saw its reasons; the retry is the news (the rest stays for the other handlers).
      const seen = new Set(action.reasons);
      const unseen = (intent.reasons ?? []).filter((reason) => !seen.has(reason));
      const retry = { type: 'retry' as const, handler: this.label(action.handler), attempt: attempt + 1 };
      this.requeue(key, { ...intent, retry: action.handler, reasons: mergeReasons(unseen, [retry]) }, delayMs);
    } else {
      this.requeue(key, intent, delayMs);
    }
    return 'error';
  }

  /** Re-running the handler cannot fix an invalid status: report it once per generation and wait for a change. */
  private onInvalidStatus(key: string, object: AnyObject, error: InvalidStatusError): void {
    this.attempts.delete(key);
    const generation = object.metadata.generation;
    if (this.invalidStatusReported.has(key) && this.invalidStatusReported.get(key) === generation) return;
    this.invalidStatusReported.set(key, generation);
    this.logger.error(error.message, { object: key, fields: error.fields });
    this.events.record(object, { type: 'Warning', reason: 'InvalidStatus', message: error.message });
  }

  private onStatusSubresourceMissing(key: string, object: AnyObject, error: StatusSubresourceMissingError): void {
    this.attempts.delete(key);
    if (!this.statusSubresourceMissingReported) this.logger.error(error.message);
    this.statusSubresourceMissingReported = true;
    this.events.record(object, { type: 'Warning', reason: 'StatusNotWritten', message: error.message });
  }

  /** Fields the CRD schema prunes are lost on every write; `state` matters most, since the state rule reads it. */
  private reportPruned(fields: string[]): void {
    for (const field of fields) {
      if (this.prunedReported.has(field)) continue;
      this.prunedReported.add(field);
      const resource = fullName(this.options.description.resource);
      const consequence =
        field === 'status.state'
          ? ': the state rule cannot see that an object was handled, so every restart handles every object again'
          : '';
      const message =
        `the API server dropped ${field} from a status write: the CRD schema of ${resource} does not declare it${consequence}. ` +
        `Declare the field in the schema, or mark status with x-kubernetes-preserve-unknown-fields: true`;
      if (field === 'status.state') this.logger.error(message, { field });
      else this.logger.warn(message, { field });
    }
  }

  private requeue(key: string, intent: Intent, delayMs: number): void {
    if (delayMs > 0) this.metrics.retry();
    this.pending.set(key, mergeIntents(intent, this.pending.get(key) ?? NOTHING));
    this.queue.addAfter(key, delayMs);
  }

  private describeAction(action: Exclude<Action, { kind: 'skip' }>, key: string): string {
    if (action.kind === 'call') return `${this.label(action.handler)} handler for ${key}`;
    return `${action.kind === 'addFinalizer' ? 'adding' : 'removing'} the finalizer of ${key}`;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
