// kubeop's own list-watch loop: resumes from the last resourceVersion, relists with a diff on 410,
// restarts on every error with capped backoff (reset only once the server delivers again), and a watchdog
// restarts a watch gone silent.
import { KubeopError } from '../../errors.js';
import type { KubeClient } from '../../kube/client.js';
import { KubeApiError, KubeConnectionError, KubeTlsError } from '../../kube/errors.js';
import { type KubeObject, objectKey } from '../../kube/objects.js';
import type { Logger } from '../../logging.js';
import type { ControllerMetrics } from '../metrics/metrics.js';
import { type BackoffPolicy, sleep } from '../util/backoff.js';
import { describeError } from '../util/describe-error.js';
import { FailureStreak } from '../util/failure-streak.js';
import type { WatchEvent, WatchEventType, WatchListener } from '../types/watch-event.js';
import { relistDiff } from './relist-diff.js';
import { type CacheShape, METADATA_ONLY, METADATA_ONLY_LIST, trimForCache } from './cache-object.js';
import { startEventSpan } from '../trace/spans.js';

export type { WatchEvent, WatchEventType, WatchListener } from '../types/watch-event.js';

/** Server-side filters of a list-watch. */
export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatcherOptions {
  client: KubeClient;
  /** Counters of restarts, server events and bookmarks. Defaults to none. */
  metrics?: Pick<ControllerMetrics, 'watchRestart' | 'watchEvent' | 'bookmark'>;
  /** Collection path, e.g. /apis/example.com/v1/namespaces/ns/things. */
  path: string;
  /** `plural.group` of what is watched, for checks and metrics. Defaults to the path. */
  name?: string;
  /** What is watched, for messages: "testobjects.example.com in all namespaces". */
  description: string;
  logger: Logger;
  /** Applied by the API server to the list and the watch. Defaults to none. */
  selectors?: Selectors;
  /** Server-side timeout of one watch request, in seconds. Defaults to 300. */
  timeoutSeconds?: number;
  /** Restart a watch with no event and no bookmark for this long, in ms. Defaults to 180 000. */
  watchdogMs?: number;
  /** Backoff after errors. Defaults to 500 ms doubling to 30 s. */
  backoff?: BackoffPolicy;
  /**
   * A lower cap of that backoff while the API server is down or not serving yet (connection refused or reset, 503 while
   * it starts, 404 until the CRD is loaded again): such attempts cost it next to nothing, and a 30 s gap would delay handling by up
   * to 30 s once it is back. Defaults to 8 s.
   */
  unavailableCapMs?: number;
  /** Backoff floor for permission errors, which an administrator must fix. Defaults to 10 s. */
  forbiddenDelayMs?: number;
  /** Objects per page of the initial list. Defaults to 500. */
  pageSize?: number;
  /**
   * List and watch `PartialObjectMetadata` only: the cache holds each object's metadata, without spec, data or status
   * (what an owner relation needs). Defaults to `false`.
   */
  metadataOnly?: boolean;
  /** Keep `metadata.managedFields` in the cache. Defaults to `false`: they are dropped on receipt. */
  keepManagedFields?: boolean;
  /** The watched type's `apiVersion` and `kind`, given to every cached object (required with `metadataOnly`). */
  type?: { apiVersion: string; kind: string };
}

export interface WatcherStats {
  lists: number;
  watches: number;
  events: number;
  bookmarks: number;
  /** Watches started again: after a failed list or watch (each one counted), a silent watch, a 410 Gone. */
  restarts: { error: number; watchdog: number; gone: number };
}

const STREAMING = { stream: true };

class WatchdogTimeout extends KubeopError {
  override readonly name = 'WatchdogTimeout';
  readonly code = 'WATCH_SILENT';
}

interface ObjectList {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion: string; continue?: string };
  items: KubeObject[];
}

interface RawEvent {
  type: WatchEventType | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

export class ResourceWatcher {
  /** The last known state of every object, trimmed (see cache-object.ts); keyed by namespace/name. */
  readonly cache = new Map<string, KubeObject>();
  readonly stats: WatcherStats = {
    lists: 0,
    watches: 0,
    events: 0,
    bookmarks: 0,
    restarts: { error: 0, watchdog: 0, gone: 0 },
  };
  private resourceVersion: string | undefined;
  private readonly stopping = new AbortController();
  private readonly streak = new FailureStreak();
  private loop: Promise<void> | undefined;
  private markSynced!: () => void;
  /** Resolves once the first list has been delivered. */
  readonly synced = new Promise<void>((resolve) => (this.markSynced = resolve));
  /** Whether the first list has been delivered (what readiness asks). */
  isSynced = false;
  /** When the loop last moved: a list or watch attempt began, or the server sent something (what liveness asks). */
  lastProgressAt = Date.now();
  private failure: { since: number; reason: string } | undefined;
  private watchOpen = false;

  private readonly listeners = new Set<WatchListener>();
  private readonly shape: CacheShape;

  constructor(private readonly options: WatcherOptions) {
    if (options.metadataOnly && !options.type) throw new Error('a metadata-only watcher needs the type it watches');
    this.shape = { keepManagedFields: options.keepManagedFields ?? false, type: options.type };
  }

  /** Every event goes to every listener, in order; returns the unsubscribe. */
  subscribe(listener: WatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  get name(): string {
    return this.options.name ?? this.options.path;
  }

  /**
   * While lists and watches keep failing: since when (`Date.now()` ms) and the last reason (what readiness asks).
   * Undefined while a watch is open, even before the server sent anything on it.
   */
  get failing(): { since: number; reason: string } | undefined {
    return this.watchOpen ? undefined : this.failure;
  }

  private get logger(): Logger {
    return this.options.logger;
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      this.lastProgressAt = Date.now();
      try {
        if (this.resourceVersion === undefined) await this.relist();
        const outcome = await this.watchOnce();
        if (outcome === 'gone') {
          this.restarted('gone');
          this.logger.info(`watch of ${this.options.description}: resourceVersion expired (410), relisting`);
          this.resourceVersion = undefined;
        } else if (outcome === 'watchdog') {
          this.restarted('watchdog');
          this.logger.warn(`watch of ${this.options.description} was silent for ${this.watchdogMs} ms; restarting it`);
        } else if (outcome === 'empty') {
          // Closed at once with nothing delivered (a server shutting down does that): a failure, not a reason to spin.
          await this.failed('the server closed the watch at once without sending anything');
        }
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        if (error instanceof KubeApiError && error.isGone) {
          this.restarted('gone');
          this.resourceVersion = undefined;
          continue;
        }
        await this.failed(error);
      }
    }
  }

  /** Logs a failed list or watch (a warning for the first and then ever more rarely) and waits out its backoff. */
  private async failed(error: unknown): Promise<void> {
    this.restarted('error');
    const policy = this.options.backoff ?? { baseMs: 500, capMs: 30_000 };
    const cap = unavailable(error) ? Math.min(policy.capMs, this.options.unavailableCapMs ?? 8_000) : policy.capMs;
    const failure = this.streak.fail({ ...policy, capMs: cap });
    // A server that names its wait (429 "storage is (re)initializing" while it starts, overload) is asked no later.
    const retryAfterMs = retryAfter(error);
    let delay =
      retryAfterMs === undefined ? failure.delayMs : Math.min(failure.delayMs, Math.max(retryAfterMs, policy.baseMs));
    const reason = typeof error === 'string' ? error : describe(error);
    this.failure = { since: this.failure?.since ?? Date.now(), reason };
    if (error instanceof KubeApiError && error.isForbidden) {
      delay = Math.max(delay, this.options.forbiddenDelayMs ?? 10_000);
      this.logger.error(
        `permission denied: cannot list/watch ${this.options.description} (${error.serverMessage ?? error.message}); ` +
          `grant the operator's account "list" and "watch" on it. Retrying in ${Math.round(delay / 1000)} s`,
      );
    } else {
      const message =
        `watch of ${this.options.description} failed (attempt ${failure.attempt}, failing for ${Math.round(failure.elapsedMs / 1000)} s): ` +
        `${reason}; retrying in ${delay} ms${failure.attempt === 1 ? ' (until it recovers, warnings only at attempts 4, 16, 64, …)' : ''}`;
      // Not a warning per attempt through an outage: 1, 4, 16, 64, …; the rest only in the debug log.
      this.logger.log(failure.warn ? 'warn' : 'debug', message);
    }
    await sleep(delay, this.stopping.signal);
  }

  /** The server delivered (a list, a watch line): ends a failure streak, so the next failure backs off from the start. */
  private markHealthy(): void {
    this.failure = undefined;
    const streak = this.streak.succeed();
    if (streak) {
      this.logger.info(
        `watch of ${this.options.description} recovered after ${Math.round(streak.durationMs / 1000)} s (${streak.failures} failed attempts)`,
      );
    }
  }

  private get watchdogMs(): number {
    return this.options.watchdogMs ?? 180_000;
  }

  /** Lists every object and reconciles the cache with it, emitting what changed since the last known state. */
  private async relist(): Promise<void> {
    const fresh = new Map<string, KubeObject>();
    let continueToken: string | undefined;
    let list: ObjectList;
    do {
      list = await this.options.client.request<ObjectList>('GET', this.options.path, {
        query: { ...this.options.selectors, limit: this.options.pageSize ?? 500, continue: continueToken },
        signal: this.stopping.signal,
        accept: this.options.metadataOnly ? METADATA_ONLY_LIST : undefined,
      });
      // Items of a built-in kind's list leave out apiVersion and kind; the list names them.
      const listed = this.shape.type ?? { apiVersion: list.apiVersion, kind: list.kind?.replace(/List$/, '') };
      for (const item of list.items) {
        item.apiVersion ??= listed.apiVersion!;
        item.kind ??= listed.kind!;
        const object = trimForCache(item, this.shape);
        fresh.set(objectKey(object), object);
      }
      continueToken = list.metadata.continue || undefined;
    } while (continueToken);
    this.stats.lists++;

    const events = relistDiff(this.cache, fresh);
    this.cache.clear();
    for (const [key, object] of fresh) this.cache.set(key, object);
    this.resourceVersion = list.metadata.resourceVersion;
    this.logger.debug(`listed ${fresh.size} ${this.options.description} at resourceVersion ${this.resourceVersion}`);
    const initial = !this.isSynced;
    for (const event of events) this.emit(initial ? { ...event, initial } : event);
    this.markHealthy();
    this.isSynced = true;
    this.markSynced();
  }

  /** One watch request, from the last resourceVersion until the server closes it or something goes wrong. */
  private async watchOnce(): Promise<'closed' | 'gone' | 'watchdog' | 'empty'> {
    const request = new AbortController();
    const onStop = () => request.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    // One timer re-armed per chunk (refresh), not a new one each time.
    const watchdog = setTimeout(() => request.abort(new WatchdogTimeout()), this.watchdogMs);
    const feedWatchdog = () => {
      this.lastProgressAt = Date.now();
      watchdog.refresh();
    };
    let delivered = 0;
    const timeoutSeconds = this.options.timeoutSeconds ?? 300;
    let closeConnection = () => {};
    this.stats.watches++;
    try {
      feedWatchdog();
      const { response, close } = await this.options.client.stream(
        this.options.path,
        {
          ...this.options.selectors,
          watch: true,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
        },
        request.signal,
        this.options.metadataOnly ? METADATA_ONLY : undefined,
      );
      closeConnection = close;
      this.watchOpen = true;
      this.logger.debug(`watching ${this.options.description} from resourceVersion ${this.resourceVersion}`);
      if (!response.body) return 'empty';
      const openedAt = Date.now();
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response.body) {
        feedWatchdog();
        buffered += decoder.decode(chunk as Uint8Array, STREAMING);
        // Lines are cut from where the last one ended; the rest is copied once per chunk, not once per line.
        let start = 0;
        let newline: number;
        while ((newline = buffered.indexOf('\n', start)) >= 0) {
          const line = buffered.slice(start, newline);
          start = newline + 1;
          if (!line.trim()) continue;
          delivered++;
          if (this.handleLine(line) === 'gone') return 'gone';
        }
        if (start > 0) buffered = buffered.slice(start);
      }
      // Nothing delivered: a failure if it ended early, but a quiet watch that ran to its timeout is healthy.
      if (delivered === 0 && Date.now() - openedAt < (timeoutSeconds * 1000) / 2) return 'empty';
      if (delivered === 0) this.markHealthy();
      return 'closed';
    } catch (error) {
      if (request.signal.reason instanceof WatchdogTimeout) return 'watchdog';
      if (this.stopping.signal.aborted) return 'closed';
      throw error;
    } finally {
      this.watchOpen = false;
      clearTimeout(watchdog);
      this.stopping.signal.removeEventListener('abort', onStop);
      if (!request.signal.aborted) request.abort();
      closeConnection();
    }
  }

  private handleLine(line: string): 'gone' | undefined {
    const event = JSON.parse(line) as RawEvent;
    if (event.type === 'ERROR') {
      const status = event.object;
      if (status.code === 410) return 'gone';
      throw new KubeApiError(status.code ?? 500, 'WATCH', this.options.path, status.reason, status.message);
    }
    this.markHealthy(); // not on ERROR lines: a watch that only ever answers errors must keep backing off
    this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
    if (event.type === 'BOOKMARK') {
      this.stats.bookmarks++;
      this.options.metrics?.bookmark();
      return undefined;
    }
    const object = trimForCache(event.object, this.shape);
    this.options.metrics?.watchEvent(event.type);
    const key = objectKey(object);
    const previous = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.emit({ type: 'DELETED', object, previous });
      return undefined;
    }
    this.cache.set(key, object);
    if (previous && previous.metadata.uid !== object.metadata.uid) {
      this.emit({ type: 'DELETED', object: previous, previous });
      this.emit({ type: 'ADDED', object });
    } else {
      this.emit(previous ? { type: 'MODIFIED', object, previous } : { type: 'ADDED', object });
    }
    return undefined;
  }

  private restarted(reason: 'gone' | 'watchdog' | 'error'): void {
    this.stats.restarts[reason]++;
    this.options.metrics?.watchRestart(reason);
  }

  private emit(event: WatchEvent): void {
    this.stats.events++;
    const span = startEventSpan(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A consumer bug must not kill the watch, nor keep the event from the other listeners.
        this.logger.error(`event consumer failed for ${objectKey(event.object)}: ${describe(error)}`, {
          stack: (error as Error)?.stack,
        });
      }
    }
    span?.end();
  }
}

/** The API server is down or not serving yet, as opposed to overloaded (429) or failing: retrying soon costs it nothing. */
/**
 * The server is down or not serving yet, and comes back on its own: a connection refused, reset or cut (a restart
 * drops it, a starting server may accept and close), 503, a path not found. Not a certificate the CA does not vouch for.
 */
export function unavailable(error: unknown): boolean {
  if (error instanceof KubeConnectionError) return !(error instanceof KubeTlsError);
  if (error instanceof KubeApiError) return error.status === 503 || error.isPathNotFound;
  // A watch's stream cut while it was read fails with the socket's own error.
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CUT_OFF.has(code);
}

const CUT_OFF = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** `retryAfterSeconds` of the Status the server answered with, in ms. */
function retryAfter(error: unknown): number | undefined {
  const seconds = error instanceof KubeApiError ? error.details?.retryAfterSeconds : undefined;
  return typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : undefined;
}

const describe = (error: unknown) => describeError(error, { withCause: true });
