// Prometheus metrics of one operator: controller-runtime's names, labels and buckets (so existing dashboards and
// alerts work unchanged), Node's process metrics, and kubeop's own `kubeop_*`.
import { Counter, Gauge, Registry } from 'prom-client';
import type { WatchEventType } from '../types/watch-event.js';
import { collectProcessMetrics } from './process-metrics.js';
import { CellCounter, CellHistogram, type HistogramCell, type ValueCell } from './cells.js';

/** controller-runtime's `result` label; `terminal_error` (a PermanentError) counts as `error` and as terminal. */
export type ReconcileResult = 'success' | 'error' | 'terminal_error' | 'requeue' | 'requeue_after';
export type WatchRestartReason = 'error' | 'watchdog' | 'gone';
/**
 * Why a status write failed for good: `invalid` (422), `too_large` (over the server's or etcd's size limit), `subresource_missing` (the CRD has no status subresource),
 * `gone` (the object was deleted meanwhile), `transient` (still failing when the retries ran out), `other`.
 * Fields pruned by the schema are no failure: that write succeeded.
 */
export type StatusWriteFailureClass = 'invalid' | 'too_large' | 'subresource_missing' | 'gone' | 'transient' | 'other';
export type HandlerRunOutcome = 'success' | 'error' | 'timeout' | 'permanent' | 'requeue';

/** What one controller (one resource) reports. Every method is cheap: a counter, gauge or histogram update. */
export interface ControllerMetrics {
  /** A reconcile (one dispatch of a key, handler or not) ended after `seconds`. */
  reconcileDone(result: ReconcileResult, seconds: number): void;
  /** A handler run passed its timeout (controller_runtime_reconcile_timeouts_total). */
  timeout(): void;
  /** A key was queued that was not already waiting (as client-go: a key being processed, and so due to run again
   * after, counts; an add that collapses into a waiting one does not). */
  queueAdd(): void;
  /** A worker took a key that waited `queuedSeconds` since its add. */
  workStarted(queuedSeconds: number): void;
  /** That worker finished after `workSeconds`. */
  workDone(workSeconds: number): void;
  /** A key was queued again with a delay (a backoff retry or a requeue-after), as controller-runtime counts it. */
  retry(): void;
  /** Gauges read at scrape time, so nothing is paid per event. Call once; later calls replace the probes. */
  observe(probes: ControllerProbes): void;
  watchRestart(reason: WatchRestartReason): void;
  watchEvent(type: WatchEventType): void;
  bookmark(): void;
  /** A status patch the API server accepted. */
  statusWrite(): void;
  /** A status write that failed for good (classified by the run stage). */
  statusWriteFailure(failureClass: StatusWriteFailureClass): void;
  /** A handler run ended; `handler` is e.g. `@OnAdded`. */
  handlerRun(handler: string, outcome: HandlerRunOutcome): void;
  /** A handler run was delayed by the class's `rateLimit` (kubeop_rate_limited_runs_total). */
  rateLimited(): void;
}

export interface ControllerProbes {
  /** Keys waiting in the queue (workqueue_depth). */
  depth?: () => number;
  /** Keys being worked on (controller_runtime_active_workers). */
  active?: () => number;
  /** Objects in the watch cache (kubeop_cache_objects). */
  cacheSize?: () => number;
  /** Start times (`Date.now()` ms) of the runs in progress: workqueue_unfinished_work_seconds and
   * workqueue_longest_running_processor_seconds. */
  inFlight?: () => Iterable<number>;
  /** Objects paused by the `kubeop.dev/paused` annotation (kubeop_paused_objects). */
  paused?: () => number;
}

export interface ControllerMetricsOptions {
  /** controller_runtime_max_concurrent_reconciles. */
  maxConcurrent?: number;
  /** Handler labels to show at 0 before their first run. */
  handlers?: string[];
  /** The class has a `rateLimit`: kubeop_rate_limited_runs_total shows at 0 before the first delay. */
  rateLimited?: boolean;
}

/** What a watch of one resource reports (a handled resource or an owned type). */
export type WatchMetrics = Pick<ControllerMetrics, 'watchRestart' | 'watchEvent' | 'bookmark'>;

/** Metrics of an operator, or {@link NOOP_METRICS} when they are off. */
export interface Metrics {
  /** The handle of one controller; `name` is the resource's full name (`plural.group`). Same name, same handle. */
  forController(name: string, options?: ControllerMetricsOptions): ControllerMetrics;
  /**
   * The kubeop_watch_* series of a watched resource alone: an owned type is watched but is no controller, so it gets
   * no controller_runtime_* or workqueue_* series.
   */
  forWatch(name: string): WatchMetrics;
  /** leader_election_master_status of the Lease `lease`. */
  leaderStatus(lease: string, leading: boolean): void;
  /**
   * One HTTP request to the API server (rest_client_requests_total, rest_client_request_duration_seconds, as
   * client-go counts them): `status` undefined when no answer came (code `<error>`); `seconds` until the answer's head.
   */
  apiRequest(method: string, host: string, status: number | undefined, seconds: number): void;
  /**
   * A request passed the client-side rate limit (`--kube-api-qps`) after `seconds` (0 when a token was free):
   * rest_client_rate_limiter_duration_seconds, as client-go observes it, and kubeop_api_throttled_requests_total
   * when it had to wait.
   */
  apiThrottle(verb: string, host: string, seconds: number, waited: boolean): void;
  /** kubeop_storage_migration_* of one custom resource (`plural.group`). */
  forMigration(name: string): StorageMigrationMetrics;
  /** Sets kubeop_dry_run to 1 (`--dry-run`); returns the count of dry-run writes, by verb. Call once. */
  dryRun(): (verb: string) => void;
}

/** Progress of a storage migration: objects rewritten, and old versions still listed in the CRD's storedVersions. */
export interface StorageMigrationMetrics {
  rewritten(count: number): void;
  pendingVersions(count: number): void;
}

const noop = (): void => {};
export const NOOP_CONTROLLER_METRICS: ControllerMetrics = {
  reconcileDone: noop,
  timeout: noop,
  queueAdd: noop,
  workStarted: noop,
  workDone: noop,
  retry: noop,
  observe: noop,
  watchRestart: noop,
  watchEvent: noop,
  bookmark: noop,
  statusWrite: noop,
  statusWriteFailure: noop,
  handlerRun: noop,
  rateLimited: noop,
};
/** Metrics turned off (`--metrics-bind-address 0`): every call does nothing. */
export const NOOP_METRICS: Metrics = {
  forController: () => NOOP_CONTROLLER_METRICS,
  forWatch: () => NOOP_CONTROLLER_METRICS,
  leaderStatus: noop,
  apiRequest: noop,
  apiThrottle: noop,
  forMigration: () => ({ rewritten: noop, pendingVersions: noop }),
  dryRun: () => noop,
};

const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
  2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** prometheus.ExponentialBuckets(10e-9, 10, 12), as client-go's work queue metrics. */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => Number(`1e${i - 8}`));
/** client-go's rest_client_request_duration_seconds buckets. */
const REST_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
const RESULTS = ['success', 'error', 'requeue', 'requeue_after'] as const;
const RESTART_REASONS: WatchRestartReason[] = ['error', 'watchdog', 'gone'];
const EVENT_TYPES: WatchEventType[] = ['ADDED', 'MODIFIED', 'DELETED'];
const FAILURE_CLASSES: StatusWriteFailureClass[] = [
  'invalid',
  'too_large',
  'subresource_missing',
  'gone',
  'transient',
  'other',
];
const OUTCOMES: HandlerRunOutcome[] = ['success', 'error', 'timeout', 'permanent', 'requeue'];

/** The metric families on `registry`; the gauges read at scrape time call `scrape` from their collect(). */
function createFamilies(registry: Registry, scrape: () => void) {
  const registers = [registry];
  type Labels<L extends string> = readonly L[];
  // Counters and histograms are updated per event or request: their series are cells (cells.ts).
  const counter = <L extends string>(name: string, labelNames: Labels<L>, help: string) =>
    new CellCounter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, labelNames: Labels<L>, help: string, collect?: () => void) =>
    new Gauge<L>({ name, help, labelNames, registers, ...(collect ? { collect } : {}) });
  const histogram = <L extends string>(name: string, labelNames: Labels<L>, buckets: number[], help: string) =>
    new CellHistogram<L>({ name, help, labelNames, buckets, registers });
  const ctl = ['controller'] as const;
  const wq = ['name', 'controller'] as const;
  return {
    reconcileTotal: counter(
      'controller_runtime_reconcile_total',
      ['controller', 'result'],
      'Total number of reconciliations per controller',
    ),
    reconcileErrors: counter(
      'controller_runtime_reconcile_errors_total',
      ctl,
      'Total number of reconciliation errors per controller',
    ),
    terminalErrors: counter(
      'controller_runtime_terminal_reconcile_errors_total',
      ctl,
      'Total number of terminal reconciliation errors per controller',
    ),
    reconcileTime: histogram(
      'controller_runtime_reconcile_time_seconds',
      ctl,
      RECONCILE_BUCKETS,
      'Length of time per reconciliation per controller',
    ),
    maxConcurrent: gauge(
      'controller_runtime_max_concurrent_reconciles',
      ctl,
      'Maximum number of concurrent reconciles per controller',
    ),
    activeWorkers: gauge(
      'controller_runtime_active_workers',
      ctl,
      'Number of currently used workers per controller',
      scrape,
    ),
    timeouts: counter(
      'controller_runtime_reconcile_timeouts_total',
      ctl,
      'Total number of reconciliation timeouts per controller',
    ),
    // `priority` stays empty, as controller-runtime's queues without priorities leave it.
    depth: gauge(
      'workqueue_depth',
      ['name', 'controller', 'priority'],
      'Current depth of workqueue by workqueue and priority',
      scrape,
    ),
    adds: counter('workqueue_adds_total', wq, 'Total number of adds handled by workqueue'),
    queueDuration: histogram(
      'workqueue_queue_duration_seconds',
      wq,
      QUEUE_BUCKETS,
      'How long in seconds an item stays in workqueue before being requested',
    ),
    workDuration: histogram(
      'workqueue_work_duration_seconds',
      wq,
      QUEUE_BUCKETS,
      'How long in seconds processing an item from workqueue takes.',
    ),
    unfinished: gauge(
      'workqueue_unfinished_work_seconds',
      wq,
      "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      scrape,
    ),
    longest: gauge(
      'workqueue_longest_running_processor_seconds',
      wq,
      'How many seconds has the longest running processor for workqueue been running.',
      scrape,
    ),
    retries: counter(
      'workqueue_retries_total',
      wq,
      'Total number of items added to the workqueue with a non-zero delay (rate-limited requeues, explicit RequeueAfter or AddAfter calls)',
    ),
    leader: gauge(
      'leader_election_master_status',
      ['name'],
      'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. ' +
        "'name' is the string used to identify the lease. Please make sure to group by name.",
    ),
    restRequests: counter(
      'rest_client_requests_total',
      ['code', 'method', 'host'],
      'Number of HTTP requests, partitioned by status code, method, and host.',
    ),
    restDuration: histogram(
      'rest_client_request_duration_seconds',
      ['verb', 'host'],
      REST_BUCKETS,
      'Request latency in seconds. Broken down by verb, and host.',
    ),
    watchRestarts: counter(
      'kubeop_watch_restarts_total',
      ['controller', 'reason'],
      'Watches started again, by reason: error (a failed list or watch), watchdog (silent too long), gone (410, relisted)',
    ),
    watchEvents: counter('kubeop_watch_events_total', ['controller', 'type'], 'Watch events received, by type'),
    bookmarks: counter('kubeop_watch_bookmarks_total', ctl, 'Watch bookmarks received'),
    cacheObjects: gauge('kubeop_cache_objects', ctl, 'Objects in the watch cache', scrape),
    pausedObjects: gauge(
      'kubeop_paused_objects',
      ctl,
      'Objects paused by the kubeop.dev/paused annotation: no handler runs for them until it is removed',
      scrape,
    ),
    statusWrites: counter('kubeop_status_writes_total', ctl, 'Status patches the API server accepted'),
    statusFailures: counter(
      'kubeop_status_write_failures_total',
      ['controller', 'class'],
      'Status writes that failed for good, by class: invalid, subresource_missing, gone, transient, other',
    ),
    handlerRuns: counter(
      'kubeop_handler_runs_total',
      ['controller', 'handler', 'outcome'],
      'Handler runs, by handler and outcome: success, error, timeout, permanent, requeue',
    ),
    rateLimitedRuns: counter(
      'kubeop_rate_limited_runs_total',
      ctl,
      "Handler runs delayed by the class's rateLimit (each delay once; the run follows when the window allows)",
    ),
  };
}
type Families = ReturnType<typeof createFamilies>;

/** Metrics on a registry of their own (never prom-client's global one), so two operators in a process don't clash. */
export class OperatorMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly controllers = new Map<string, Handle>();
  private readonly watches = new Map<string, WatchMetrics>();
  /** The rest_client_* cells by host, then method: found with no key string built per request. */
  private readonly rest = new Map<string, Map<string, RestCells>>();
  // Each scrape-time gauge refreshes every handle: a few assignments, and any one gauge read alone is current.
  private readonly families = createFamilies(this.registry, () => this.controllers.forEach((c) => c.scrape()));

  /** `processMetrics: false` leaves out Node's process metrics (process-metrics.ts). */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectProcessMetrics(this.registry);
  }

  forController(name: string, options: ControllerMetricsOptions = {}): ControllerMetrics {
    let handle = this.controllers.get(name);
    if (!handle) this.controllers.set(name, (handle = new Handle(this.families, name)));
    if (options.maxConcurrent !== undefined)
      this.families.maxConcurrent.labels({ controller: name }).set(options.maxConcurrent);
    if (options.rateLimited) handle.rateLimited(0);
    for (const handler of options.handlers ?? []) handle.handlerRun(handler, undefined);
    return handle;
  }

  forWatch(name: string): WatchMetrics {
    let handle = this.watches.get(name);
    if (!handle) this.watches.set(name, (handle = new WatchHandle(this.families, name)));
    return handle;
  }

  private migration?: { rewritten: Counter<'resource'>; pending: Gauge<'resource'> };

  forMigration(name: string): StorageMigrationMetrics {
    const registers = [this.registry];
    this.migration ??= {
      rewritten: new Counter({
        name: 'kubeop_storage_migration_objects_rewritten_total',
        help: 'Objects rewritten at the storage version by the storage migration, by resource',
        labelNames: ['resource'],
        registers,
      }),
      pending: new Gauge({
        name: 'kubeop_storage_migration_pending_versions',
        help: "Old versions still listed in the CRD's status.storedVersions (0 once migrated), by resource",
        labelNames: ['resource'],
        registers,
      }),
    };
    const rewritten = this.migration.rewritten.labels({ resource: name });
    const pending = this.migration.pending.labels({ resource: name });
    return { rewritten: (count) => rewritten.inc(count), pendingVersions: (count) => pending.set(count) };
  }

  /** Made only under --dry-run: an operator without it exports neither series. */
  dryRun(): (verb: string) => void {
    const registers = [this.registry];
    new Gauge({
      name: 'kubeop_dry_run',
      help: '1 when the operator runs with --dry-run: its writes are validated by the API server but not stored',
      registers,
    }).set(1);
    const writes = new Counter({
      name: 'kubeop_dry_run_writes_total',
      help: 'Writes sent with dryRun=All and accepted by the API server (stored nowhere), by verb',
      labelNames: ['verb'],
      registers,
    });
    return (verb) => writes.labels({ verb }).inc();
  }

  leaderStatus(lease: string, leading: boolean): void {
    this.families.leader.labels({ name: lease }).set(leading ? 1 : 0);
  }

  apiRequest(method: string, host: string, status: number | undefined, seconds: number): void {
    // Label sets bound once each (a handful of methods and codes, one host): a request costs two cell updates.
    let byMethod = this.rest.get(host);
    if (!byMethod) this.rest.set(host, (byMethod = new Map()));
    let cells = byMethod.get(method);
    if (!cells) {
      const duration = this.families.restDuration.cell({ verb: method, host });
      byMethod.set(method, (cells = { duration, byStatus: new Map() }));
    }
    let requests = cells.byStatus.get(status);
    if (!requests) {
      const code = status === undefined ? '<error>' : String(status);
      cells.byStatus.set(status, (requests = this.families.restRequests.cell({ code, method, host })));
    }
    requests.inc();
    cells.duration.observe(seconds);
  }

  /** Created at the first throttled-or-not request, so an operator without --kube-api-qps carries none of it. */
  private throttle?: ThrottleFamilies;

  apiThrottle(verb: string, host: string, seconds: number, waited: boolean): void {
    const throttle = (this.throttle ??= this.throttleFamilies());
    const key = `${verb} ${host}`;
    let bound = throttle.bound.get(key);
    if (!bound) {
      // A cell starts at 0, so the throttled count is exported from the first request on.
      const labels = { verb, host };
      bound = { duration: throttle.duration.cell(labels), throttled: throttle.throttled.cell(labels) };
      throttle.bound.set(key, bound);
    }
    bound.duration.observe(seconds);
    if (waited) bound.throttled.inc();
  }

  private throttleFamilies(): ThrottleFamilies {
    const registers = [this.registry];
    const labelNames = ['verb', 'host'] as const;
    return {
      duration: new CellHistogram({
        name: 'rest_client_rate_limiter_duration_seconds',
        help: 'Client side rate limiter latency in seconds. Broken down by verb, and host.',
        labelNames,
        buckets: REST_BUCKETS,
        registers,
      }),
      throttled: new CellCounter({
        name: 'kubeop_api_throttled_requests_total',
        help: 'Requests to the API server that waited for the client-side rate limit (--kube-api-qps), by verb and host',
        labelNames,
        registers,
      }),
      bound: new Map(),
    };
  }

  /** The exposition text, as served at /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** --kube-api-qps's two families, and their cells by `verb host`. */
interface ThrottleFamilies {
  duration: CellHistogram<'verb' | 'host'>;
  throttled: CellCounter<'verb' | 'host'>;
  bound: Map<string, { duration: HistogramCell; throttled: ValueCell }>;
}

interface RestCells {
  duration: HistogramCell;
  /** rest_client_requests_total by status (undefined: no answer, code `<error>`). */
  byStatus: Map<number | undefined, ValueCell>;
}

const bindEach = <K extends string, T>(keys: readonly K[], bind: (key: K) => T) =>
  Object.fromEntries(keys.map((k) => [k, bind(k)])) as Record<K, T>;

/**
 * One controller's series, bound once: an event updates a cell (no label hashing, no label object). Every series
 * exists from here at 0, as controller-runtime's initMetrics makes them, so rate() sees the first event.
 */
function bindController(f: Families, name: string) {
  const controller = { controller: name };
  const wq = { name, controller: name };
  return {
    wq,
    reconciles: bindEach(RESULTS, (result) => f.reconcileTotal.cell({ controller: name, result })),
    errors: f.reconcileErrors.cell(controller),
    terminal: f.terminalErrors.cell(controller),
    reconcileTime: f.reconcileTime.cell(controller),
    timeouts: f.timeouts.cell(controller),
    adds: f.adds.cell(wq),
    queueDuration: f.queueDuration.cell(wq),
    workDuration: f.workDuration.cell(wq),
    retries: f.retries.cell(wq),
    restarts: bindEach(RESTART_REASONS, (reason) => f.watchRestarts.cell({ controller: name, reason })),
    events: bindEach(EVENT_TYPES, (type) => f.watchEvents.cell({ controller: name, type })),
    bookmarks: f.bookmarks.cell(controller),
    statusWrites: f.statusWrites.cell(controller),
    statusFailures: bindEach(FAILURE_CLASSES, (cls) => f.statusFailures.cell({ controller: name, class: cls })),
  };
}

/** The watch series of one resource, created at 0. */
class WatchHandle implements WatchMetrics {
  private readonly restarts;
  private readonly events;
  private readonly bookmarks;

  constructor(f: Families, name: string) {
    this.restarts = bindEach(RESTART_REASONS, (reason) => f.watchRestarts.cell({ controller: name, reason }));
    this.events = bindEach(EVENT_TYPES, (type) => f.watchEvents.cell({ controller: name, type }));
    this.bookmarks = f.bookmarks.cell({ controller: name });
  }

  watchRestart(reason: WatchRestartReason): void {
    this.restarts[reason].inc();
  }
  watchEvent(type: WatchEventType): void {
    this.events[type].inc();
  }
  bookmark(): void {
    this.bookmarks.inc();
  }
}

class Handle implements ControllerMetrics {
  private readonly b: ReturnType<typeof bindController>;
  private readonly handlers = new Map<string, Record<HandlerRunOutcome, ValueCell>>();
  private probes: ControllerProbes = {};
  private rateLimitedRuns?: ValueCell;

  constructor(
    private readonly f: Families,
    private readonly name: string,
  ) {
    this.b = bindController(f, name);
    this.scrape();
  }

  reconcileDone(result: ReconcileResult, seconds: number): void {
    this.b.reconcileTime.observe(seconds);
    if (result === 'error' || result === 'terminal_error') {
      this.b.errors.inc();
      this.b.reconciles.error.inc();
      if (result === 'terminal_error') this.b.terminal.inc();
    } else this.b.reconciles[result].inc();
  }
  timeout(): void {
    this.b.timeouts.inc();
  }
  queueAdd(): void {
    this.b.adds.inc();
  }
  workStarted(queuedSeconds: number): void {
    this.b.queueDuration.observe(queuedSeconds);
  }
  workDone(workSeconds: number): void {
    this.b.workDuration.observe(workSeconds);
  }
  retry(): void {
    this.b.retries.inc();
  }
  observe(probes: ControllerProbes): void {
    this.probes = probes;
  }
  watchRestart(reason: WatchRestartReason): void {
    this.b.restarts[reason].inc();
  }
  watchEvent(type: WatchEventType): void {
    this.b.events[type].inc();
  }
  bookmark(): void {
    this.b.bookmarks.inc();
  }
  statusWrite(): void {
    this.b.statusWrites.inc();
  }
  statusWriteFailure(failureClass: StatusWriteFailureClass): void {
    this.b.statusFailures[failureClass].inc();
  }
  /** `by` 0 only creates the series at 0 (a class with a rateLimit, before its first delay). */
  rateLimited(by = 1): void {
    // Bound at the first call: a class without a rateLimit exports no such series.
    (this.rateLimitedRuns ??= this.f.rateLimitedRuns.cell({ controller: this.name })).inc(by);
  }
  /** `outcome` undefined only creates the handler's series at 0. */
  handlerRun(handler: string, outcome: HandlerRunOutcome | undefined): void {
    let bound = this.handlers.get(handler);
    if (!bound) {
      bound = bindEach(OUTCOMES, (o) => this.f.handlerRuns.cell({ controller: this.name, handler, outcome: o }));
      this.handlers.set(handler, bound);
    }
    if (outcome) bound[outcome].inc();
  }

  /** Sets the gauges read from the probes, at scrape time. */
  scrape(): void {
    const { f, name, probes } = this;
    const { wq } = this.b;
    f.depth.set({ ...wq, priority: '' }, probes.depth?.() ?? 0);
    f.activeWorkers.set({ controller: name }, probes.active?.() ?? 0);
    f.cacheObjects.set({ controller: name }, probes.cacheSize?.() ?? 0);
    f.pausedObjects.set({ controller: name }, probes.paused?.() ?? 0);
    const now = Date.now();
    let total = 0;
    let longest = 0;
    for (const startedAt of probes.inFlight?.() ?? []) {
      const seconds = Math.max(0, now - startedAt) / 1000;
      total += seconds;
      longest = Math.max(longest, seconds);
    }
    f.unfinished.set(wq, total);
    f.longest.set(wq, longest);
  }
}
