// The one list of the metric names the dashboard and the alert rules query; the monitoring integration test checks
// every query against a running operator's /metrics, so a rename in core fails there, not on a user's Grafana.

/** Series the operator exports (core `internal/metrics`). Histograms are named by family; queries add `_bucket`. */
export const METRIC = {
  reconcileTotal: 'controller_runtime_reconcile_total',
  reconcileErrors: 'controller_runtime_reconcile_errors_total',
  terminalErrors: 'controller_runtime_terminal_reconcile_errors_total',
  reconcileTimeouts: 'controller_runtime_reconcile_timeouts_total',
  reconcileTime: 'controller_runtime_reconcile_time_seconds',
  activeWorkers: 'controller_runtime_active_workers',
  maxConcurrent: 'controller_runtime_max_concurrent_reconciles',
  queueDepth: 'workqueue_depth',
  queueAdds: 'workqueue_adds_total',
  queueDuration: 'workqueue_queue_duration_seconds',
  queueRetries: 'workqueue_retries_total',
  queueLongestRunning: 'workqueue_longest_running_processor_seconds',
  leader: 'leader_election_master_status',
  restRequests: 'rest_client_requests_total',
  restDuration: 'rest_client_request_duration_seconds',
  webhookRequests: 'controller_runtime_webhook_requests_total',
  webhookLatency: 'controller_runtime_webhook_latency_seconds',
  webhookInFlight: 'controller_runtime_webhook_requests_in_flight',
  webhookRejections: 'kubeop_webhook_rejections_total',
  certificateExpiry: 'kubeop_webhook_certificate_expiry_timestamp_seconds',
  watchEvents: 'kubeop_watch_events_total',
  watchRestarts: 'kubeop_watch_restarts_total',
  cacheObjects: 'kubeop_cache_objects',
  statusWrites: 'kubeop_status_writes_total',
  statusWriteFailures: 'kubeop_status_write_failures_total',
  handlerRuns: 'kubeop_handler_runs_total',
  pausedObjects: 'kubeop_paused_objects',
  rateLimitedRuns: 'kubeop_rate_limited_runs_total',
  apiThrottled: 'kubeop_api_throttled_requests_total',
  apiRateLimiterWait: 'rest_client_rate_limiter_duration_seconds',
  dryRunWrites: 'kubeop_dry_run_writes_total',
  processCpu: 'process_cpu_seconds_total',
  processMemory: 'process_resident_memory_bytes',
  heapUsed: 'nodejs_heap_size_used_bytes',
  eventLoopLag: 'nodejs_eventloop_lag_p99_seconds',
} as const;

/** Series Prometheus itself writes for every target (not on /metrics): `up` is 0 when a scrape failed. */
export const SCRAPE_METRIC = { up: 'up' } as const;

/** Labels Prometheus adds to every series of a target (a PodMonitor or ServiceMonitor adds these). */
export const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod'] as const;
