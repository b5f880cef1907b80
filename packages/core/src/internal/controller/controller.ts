// One resource's pipeline: watch (its own objects, the objects they own, timers) → intents keyed by object →
// work queue → dispatch → run; each attempt is settled by attempt.ts and settle.ts.
import type { ResourceDescription } from '../../explorer.js';
import { objectKey } from '../../kube/objects.js';
import { fullName, type ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import { decide, hasWork, type Intent, intentFor, mergeIntents, NOTHING } from '../dispatch/dispatch.js';
import { handlerNameOf, type HandlerRef } from '../dispatch/handlers.js';
import { type ControllerMetrics, NOOP_CONTROLLER_METRICS, type ReconcileResult } from '../metrics/metrics.js';
import type { HandlerDependencies } from '../run/handler-runner.js';
import type { WatchEvent } from '../types/watch-event.js';
import { RunRateLimiter } from '../queue/run-rate-limiter.js';
import type { WorkQueue } from '../queue/work-queue.js';
import type { CacheOptions, Informers } from '../watch/informers.js';
import type { ResourceWatcher } from '../watch/watcher.js';
import { Attempts } from './attempt.js';
import { intentQueue } from './intent-queue.js';
import { PauseGate } from './pause-gate.js';
import { emptyStats } from './stats.js';
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

export class ResourceController {
  /** The handled objects' watcher (shared with other controllers that need the same objects). */
  readonly watcher: ResourceWatcher;
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
  private readonly attempts: Attempts;
  private readonly pause: PauseGate;
  /** The class's `rateLimit` on handler runs per object, if it has one. */
  private readonly runLimit: RunRateLimiter | undefined;
  readonly stats = emptyStats(() => this.queue.depth);

  constructor(private readonly options: ControllerOptions) {
    const { description, namespace, config, informers } = options;
    const logger = (this.logger = options.logger.child({ resource: fullName(description.resource) }));
    const metrics = (this.metrics = options.metrics ?? NOOP_CONTROLLER_METRICS);
    const { rateLimit } = description.resource;
    this.runLimit = rateLimit && new RunRateLimiter(rateLimit);
    const queue = (this.queue = intentQueue(config, metrics, (key, intent) => this.reconcile(key, intent)));
    const { labelSelector, fieldSelector, keepManagedFields } = description.resource;
    const selectors = { labelSelector, fieldSelector };
    const watcher = (this.watcher = informers.get(description.resource, namespace, selectors, { keepManagedFields }));
    this.ownedWatchers = options.owned.map(({ metadataOnly, ...type }) =>
      informers.get(type, namespace, {}, { metadataOnly }),
    );
    const shared = { description, deps: options, queue, metrics, logger, stats: this.stats };
    const pause = (this.pause = new PauseGate({
      description,
      client: options.client,
      logger,
      retryLater: (key, delayMs) => queue.addAfter(key, { ...NOTHING }, delayMs),
    }));
    this.attempts = new Attempts({
      ...shared,
      handledDeletions: this.handledDeletions,
      latest: (key) => watcher.cache.get(key),
      shutdown: this.shutdown.signal,
    });
    this.triggers = new Triggers({
      description,
      primary: watcher,
      owned: this.ownedWatchers,
      resyncPeriodSeconds: config.resyncPeriodSeconds,
      logger,
      // A tick runs its timer now, beside a failed handler's backoff; a nudge waits that backoff out.
      enqueue: (key, intent) => queue.add(key, intent, intent.timers?.length ? 'beside' : 'after-backoff'),
      isRunning: (key) => queue.isProcessing(key),
    });
    this.unsubscribe = watcher.subscribe((event) => this.onEvent(event));
    // Read at scrape time only: nothing is paid per event for these.
    metrics.observe({
      depth: () => queue.depth,
      active: () => queue.active,
      cacheSize: () => watcher.cache.size,
      inFlight: () => this.attempts.startTimes(),
      paused: () => pause.size,
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

  /** Takes no more events or runs, aborts running handlers' `this.signal`, waits `timeoutMs`, names those not done. */
  async stop(timeoutMs: number): Promise<boolean> {
    if (!this.shutdown.signal.aborted) this.shutdown.abort(new Error('the operator is shutting down'));
    this.detach();
    const drained = await this.queue.shutdown(timeoutMs);
    this.attempts.reportAbandoned(this.logger);
    return drained;
  }

  private onEvent(event: WatchEvent): void {
    const key = objectKey(event.object);
    this.triggers.onPrimaryEvent(event, key);
    const intent = intentFor(event, this.options.description);
    if (intent && event.link) intent.links = [event.link];
    // Pausing or unpausing asks for a run of its own (to show the condition, or to run the work owed).
    const paused = this.pause.onEvent(event, key);
    const work = paused ? mergeIntents(intent, paused) : intent;
    // The object's own change is news for every pending run, a retry's included: it runs now.
    if (work) this.queue.add(key, work);
  }

  /** Holds the intent back when `key` ran as often as the class's `rateLimit` allows, counted and logged. */
  private overRateLimit(key: string, intent: Intent, handler: HandlerRef): boolean {
    const waitMs = this.runLimit!.tryStart(key, performance.now());
    if (waitMs === 0) return false;
    this.queue.holdForRateLimit(key, intent, waitMs);
    this.metrics.rateLimited();
    const { runs, perSeconds } = this.options.description.resource.rateLimit!;
    this.logger.debug(
      `delayed ${handlerNameOf(this.options.description, handler)} for ${key} by ${(waitMs / 1000).toFixed(1)}s: rateLimit of ${runs} run(s) per ${perSeconds}s`,
    );
    return true;
  }

  /** The loop's body: one key with its intent, an owed status first, else `decide` and run the action. */
  private async reconcile(key: string, queued: Intent): Promise<void> {
    const started = performance.now();
    const object = this.watcher.cache.get(key);
    // A paused object's work is kept until it is unpaused (pause-gate.ts); one annotation lookup lets the rest pass.
    const intent = this.pause.concerns(key, queued, object) ? await this.pause.admit(key, queued, object) : queued;
    if (!intent) return;
    const { status, ...rest } = intent;
    let result: ReconcileResult;
    if (status !== undefined && object) {
      // A status a run could not write goes first, without running the handler again.
      result = await this.attempts.run(key, rest, { kind: 'status', patch: status, object });
      // A retry of the status holds the rest; a status given up on does not hold it up.
      if (result !== 'error' && (hasWork(rest) || rest.deleted)) this.queue.add(key, rest);
    } else {
      const { action, rest: left } = decide(rest, object, this.options.description, this.handledDeletions);
      // Over the class's rate limit, the whole intent waits (finalizer steps and skips run no handler: never held).
      if (action.kind === 'call' && this.runLimit && this.overRateLimit(key, rest, action.handler)) return;
      if (action.kind === 'skip') {
        this.logger.debug(`skipped ${key}: ${action.reason}`);
        if (intent.deleted) this.handledDeletions.delete(intent.deleted.metadata.uid ?? '');
      }
      result = await this.attempts.run(key, rest, action);
      // After a failure the retry holds the whole intent, the rest included.
      // Work left for the same object is no request of the handler's: the result stays as controller-runtime counts it.
      if (left && result !== 'error' && result !== 'terminal_error') this.queue.add(key, left);
    }
    this.metrics.reconcileDone(result, (performance.now() - started) / 1000);
  }
}
