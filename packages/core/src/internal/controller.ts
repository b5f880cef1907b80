// One resource's pipeline: watch → intents keyed by object → work queue → handler runs, retries, finalizers.
import type { ResourceDescription } from '../explorer.js';
import { PermanentError, TemporaryError } from '../errors.js';
import { type KubeClient, MERGE_PATCH } from '../kube/client.js';
import { type AnyObject, objectKey } from '../kube/objects.js';
import { collectionPath, fullName, objectPath } from '../kube/resource.js';
import type { Logger } from '../logging.js';
import { backoffDelay } from './backoff.js';
import { type Action, decide, HANDLED_GENERATION_ANNOTATION, handledGeneration, type Intent, intentFor, mergeIntents } from './dispatch.js';
import { recordEvent } from './events.js';
import { addFinalizer, removeFinalizer } from './finalizers.js';
import { type HandlerDependencies, runHandler } from './handler-runner.js';
import { ResourceWatcher, type WatchEvent } from './watcher.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions extends HandlerDependencies {
  description: ResourceDescription;
  namespace: string | undefined;
  /** Name recorded as the source of Kubernetes Events. */
  component: string;
}

export interface ControllerStats {
  handled: number;
  failed: number;
  retries: number;
  running: number;
  queued: number;
}

export class ResourceController {
  readonly watcher: ResourceWatcher;
  private readonly queue: WorkQueue;
  private readonly pending = new Map<string, Intent>();
  private readonly attempts = new Map<string, number>();
  /** uids whose @OnDeleted succeeded; forgotten once the object is gone. */
  private readonly handledDeletions = new Set<string>();
  private readonly logger: Logger;
  readonly stats: ControllerStats = { handled: 0, failed: 0, retries: 0, running: 0, queued: 0 };

  constructor(private readonly options: ControllerOptions) {
    const { description, namespace, args } = options;
    const where = namespace ? `in namespace ${namespace}` : 'in all namespaces';
    this.logger = options.logger.child({ resource: fullName(description.resource) });
    this.queue = new WorkQueue((key) => this.reconcile(key), args.maxConcurrent);
    this.watcher = new ResourceWatcher({
      client: options.client,
      path: collectionPath(description.resource, namespace),
      description: `${fullName(description.resource)} ${description.resource.scope === 'Cluster' ? '(cluster-scoped)' : where}`,
      logger: this.logger,
      onEvent: (event) => this.onEvent(event),
      timeoutSeconds: args.watchTimeout,
      watchdogMs: args.watchdog * 1000,
    });
  }

  start(): void {
    this.watcher.start();
  }

  /** Stops watching, starts nothing new and lets running handlers finish within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<boolean> {
    const [, drained] = await Promise.all([this.watcher.stop(), this.queue.shutdown(timeoutMs)]);
    return drained;
  }

  private onEvent(event: WatchEvent): void {
    const intent = intentFor(event, this.options.description);
    if (!intent) return;
    const key = objectKey(event.object);
    this.pending.set(key, mergeIntents(this.pending.get(key), intent));
    this.queue.add(key);
  }

  private async reconcile(key: string): Promise<void> {
    const intent = this.pending.get(key);
    if (!intent) return;
    this.pending.delete(key);
    const { action, rest } = decide(intent, this.watcher.cache.get(key), this.options.description, this.handledDeletions);
    if (action.kind === 'skip') {
      this.logger.debug(`skipped ${key}: ${action.reason}`);
      if (intent.deleted) this.handledDeletions.delete(intent.deleted.metadata.uid ?? '');
    }
    this.stats.running++;
    try {
      const requeueAfter = await this.execute(key, action);
      this.attempts.delete(key);
      if (rest) this.requeue(key, rest, 0);
      if (requeueAfter !== undefined && action.kind === 'call') {
        this.requeue(key, { added: action.event === 'added', modified: action.event === 'modified', sync: false }, requeueAfter * 1000);
      }
    } catch (error) {
      this.onFailure(key, intent, action, error);
    } finally {
      this.stats.running--;
    }
  }

  private async execute(key: string, action: Action): Promise<number | undefined> {
    const { client, description } = this.options;
    const finalizer = description.finalizer!;
    if (action.kind === 'skip') return undefined;
    const path = objectPath(description.resource, action.object.metadata.name, action.object.metadata.namespace);
    if (action.kind === 'addFinalizer') return void (await addFinalizer(client, path, action.object, finalizer));
    if (action.kind === 'removeFinalizer') return void (await this.finishDeletion(path, action.object));
    if (action.addFinalizer) await addFinalizer(client, path, action.object, finalizer);
    const outcome = await runHandler(description, action.event, action.object, this.options, (this.attempts.get(key) ?? 0) + 1);
    this.stats.handled++;
    const modifiedHandler = description.handlers.modified;
    if (action.event !== 'deleted' && modifiedHandler && !modifiedHandler.everyChange) await this.recordHandledGeneration(path, action.object);
    if (action.removeFinalizer) await this.finishDeletion(path, action.object);
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

  private async finishDeletion(path: string, object: AnyObject): Promise<void> {
    const uid = object.metadata.uid ?? '';
    this.handledDeletions.add(uid);
    await removeFinalizer(this.options.client, path, object, this.options.description.finalizer!);
  }

  private onFailure(key: string, intent: Intent, action: Action, error: unknown): void {
    this.stats.failed++;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    const what = action.kind === 'call' ? `@On${action.event[0]!.toUpperCase()}${action.event.slice(1)} handler` : action.kind;
    const stack = error instanceof Error ? error.stack : String(error);
    if (error instanceof PermanentError) {
      this.attempts.delete(key);
      this.logger.error(`${what} for ${key} failed permanently, not retrying: ${error.message}`, { object: key, stack });
      if (action.kind !== 'skip') this.recordFailure(action.object, `${what} failed permanently: ${error.message}`);
      // A deletion must not hang forever on a handler that gave up: release the finalizer.
      if (action.kind === 'call' && action.removeFinalizer) {
        this.handledDeletions.add(action.object.metadata.uid ?? '');
        this.requeue(key, { added: false, modified: false, sync: true }, 0);
      }
      return;
    }
    this.attempts.set(key, attempt);
    this.stats.retries++;
    const { retryDelay, retryMaxDelay } = this.options.args;
    const delayMs =
      error instanceof TemporaryError
        ? error.delaySeconds * 1000
        : backoffDelay({ baseMs: retryDelay * 1000, capMs: retryMaxDelay * 1000 }, attempt, 0.1);
    this.logger.error(`${what} for ${key} failed (attempt ${attempt}), retrying in ${(delayMs / 1000).toFixed(1)} s: ${(error as Error)?.message ?? error}`, {
      object: key,
      attempt,
      stack,
    });
    this.requeue(key, intent, delayMs);
  }

  private requeue(key: string, intent: Intent, delayMs: number): void {
    this.pending.set(key, mergeIntents(intent, this.pending.get(key) ?? { added: false, modified: false, sync: false }));
    this.queue.addAfter(key, delayMs);
  }

  private recordFailure(object: AnyObject, message: string): void {
    recordEvent(this.options.client, this.options.component, object, { type: 'Warning', reason: 'HandlerFailed', message }).catch(
      (error: unknown) => this.logger.debug(`could not record an Event on ${objectKey(object)}: ${(error as Error).message}`),
    );
  }

  get queueStats(): { active: number; depth: number } {
    return { active: this.queue.active, depth: this.queue.depth };
  }
}
