// Prometheus alert rules for a kubeop operator: down, failing reconciles, slow or backed-up queues, no leader,
// failing or slow webhooks, an expiring webhook certificate, failing watches.
import { METRIC as M, SCRAPE_METRIC } from './metric-names.js';
import { type Matchers, quantile, selector, sumRate } from './promql.js';

export interface AlertOptions {
  /** The operator's name: the rule group's name and the `operator` label of every alert. */
  name: string;
  /** The `job` label Prometheus gives the operator's targets (a PodMonitor from `--pod-monitor` sets the name). */
  job: string;
  /** Leader election is on: alert when no replica leads. */
  leaderElect: boolean;
  /** The operator serves webhooks: alert when they fail, are slow, or their certificate is about to expire. */
  webhooks: boolean;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning'; [key: string]: string };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** Thresholds of the rules; change them in the emitted YAML where an operator's normal differs. */
export const ALERT_THRESHOLDS = {
  /** Share of reconciles that fail. */
  errorRatio: 0.1,
  /** Seconds, p99 of a reconcile. */
  reconcileP99: 10,
  /** Keys waiting, while the queue still grows. */
  queueDepth: 100,
  /** Seconds, p99 of the wait for a worker. */
  queueWaitP99: 60,
  /** Share of webhook requests answered with another code than 200. */
  webhookErrorRatio: 0.05,
  /** Seconds, p99 of a webhook request (the API server's timeout is 10 s by default). */
  webhookP99: 2.5,
  /** Days left on the serving certificate (renewal is due at 30). */
  certificateDays: 14,
  /** Watch restarts after errors in 10 minutes. */
  watchErrors: 3,
} as const;

/** One group of rules, for a PrometheusRule's `spec.groups` or a rules file's `groups`. */
export function operatorAlerts(options: AlertOptions): RuleGroup {
  const t = ALERT_THRESHOLDS;
  const job: Matchers = { job: options.job };
  const per = ['job', 'controller'];
  const rule = (
    alert: string,
    severity: AlertRule['labels']['severity'],
    duration: string,
    expr: string,
    summary: string,
    description: string,
  ): AlertRule => ({
    alert,
    expr,
    for: duration,
    labels: { severity, operator: options.name },
    annotations: { summary, description },
  });
  const rules: AlertRule[] = [
    rule(
      'KubeopOperatorDown',
      'critical',
      '5m',
      `${selector(SCRAPE_METRIC.up, job)} == 0`,
      `${options.name}: a replica cannot be scraped`,
      'Prometheus could not scrape {{ $labels.instance }} of job {{ $labels.job }} for 5 minutes: the pod is down, not ready, or its metrics port is unreachable.',
    ),
    rule(
      'KubeopReconcileErrorsHigh',
      'warning',
      '15m',
      `${sumRate(M.reconcileErrors, per, job, '5m')} / ${sumRate(M.reconcileTotal, per, job, '5m')} > ${t.errorRatio}`,
      `${options.name}: many reconciles of {{ $labels.controller }} fail`,
      `More than ${t.errorRatio * 100}% of the reconciles of {{ $labels.controller }} failed for 15 minutes ({{ $value | humanizePercentage }}). The operator's error log names the objects and causes.`,
    ),
    rule(
      'KubeopReconcileSlow',
      'warning',
      '15m',
      `${quantile(0.99, M.reconcileTime, per, job, '5m')} > ${t.reconcileP99}`,
      `${options.name}: reconciles of {{ $labels.controller }} are slow`,
      `The p99 reconcile time of {{ $labels.controller }} was over ${t.reconcileP99} s for 15 minutes ({{ $value | humanizeDuration }}).`,
    ),
    rule(
      'KubeopWorkQueueGrowing',
      'warning',
      '15m',
      `sum by (job, name) (${selector(M.queueDepth, job)}) > ${t.queueDepth} and sum by (job, name) (deriv(${selector(M.queueDepth, job)}[10m])) > 0`,
      `${options.name}: the work queue of {{ $labels.name }} keeps growing`,
      `Over ${t.queueDepth} keys of {{ $labels.name }} wait, and more every minute, for 15 minutes: the workers cannot keep up (raise --max-concurrent-reconciles, or find the slow handler).`,
    ),
    rule(
      'KubeopWorkQueueWaitLong',
      'warning',
      '15m',
      `${quantile(0.99, M.queueDuration, ['job', 'name'], job, '5m')} > ${t.queueWaitP99}`,
      `${options.name}: keys of {{ $labels.name }} wait long for a worker`,
      `The p99 wait in the queue of {{ $labels.name }} was over ${t.queueWaitP99} s for 15 minutes ({{ $value | humanizeDuration }}).`,
    ),
    rule(
      'KubeopWatchFailing',
      'warning',
      '10m',
      `sum by (job, controller) (increase(${selector(M.watchRestarts, { ...job, reason: 'error' })}[10m])) > ${t.watchErrors}`,
      `${options.name}: the watch of {{ $labels.controller }} keeps failing`,
      'The list or watch of {{ $labels.controller }} failed and was started again more than ' +
        `${t.watchErrors} times in 10 minutes: the API server is unreachable, the resource is not served, or access is denied (the operator's log names the error; /readyz fails).`,
    ),
  ];
  if (options.leaderElect)
    rules.push(
      rule(
        'KubeopNoLeader',
        'critical',
        '5m',
        `max by (job, name) (${selector(M.leader, job)}) < 1`,
        `${options.name}: no replica leads {{ $labels.name }}`,
        'No replica has held the Lease {{ $labels.name }} for 5 minutes, so no object is handled.',
      ),
    );
  if (options.webhooks)
    rules.push(
      rule(
        'KubeopWebhookErrors',
        'critical',
        '10m',
        `${sumRate(M.webhookRequests, ['job', 'webhook'], { ...job, code: { not: '200' } }, '5m')} / ${sumRate(M.webhookRequests, ['job', 'webhook'], job, '5m')} > ${t.webhookErrorRatio}`,
        `${options.name}: webhook {{ $labels.webhook }} fails`,
        `More than ${t.webhookErrorRatio * 100}% of the requests to {{ $labels.webhook }} were answered with an error for 10 minutes; with failurePolicy Fail the API server refuses the writes they guard.`,
      ),
      rule(
        'KubeopWebhookMethodFailing',
        'warning',
        '10m',
        `${sumRate(M.webhookRejections, ['job', 'webhook'], { ...job, reason: 'error' }, '5m')} > 0`,
        `${options.name}: the method behind webhook {{ $labels.webhook }} fails`,
        'The @OnValidate or @OnMutate method behind {{ $labels.webhook }} threw (another error than Denied) or timed out for 10 minutes, so the requests it saw were denied; the error log names Class.method.',
      ),
      rule(
        'KubeopWebhookSlow',
        'warning',
        '10m',
        `${quantile(0.99, M.webhookLatency, ['job', 'webhook'], job, '5m')} > ${t.webhookP99}`,
        `${options.name}: webhook {{ $labels.webhook }} is slow`,
        `The p99 latency of {{ $labels.webhook }} was over ${t.webhookP99} s for 10 minutes ({{ $value | humanizeDuration }}); past the configuration's timeoutSeconds the API server gives up.`,
      ),
      rule(
        'KubeopWebhookCertificateExpiring',
        'warning',
        '1h',
        `min by (job, pod) (${selector(M.certificateExpiry, job)}) - time() < ${t.certificateDays} * 86400`,
        `${options.name}: the webhook certificate expires in under ${t.certificateDays} days`,
        "The serving certificate of {{ $labels.pod }} expires in {{ $value | humanizeDuration }}; it should have been renewed at 30 days left. Check the renewal in the log (or cert-manager's Certificate).",
      ),
    );
  return { name: `kubeop-${options.name}`, rules };
}
