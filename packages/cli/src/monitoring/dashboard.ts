// A Grafana dashboard of a kubeop operator's metrics: reconciles, work queue, API requests, watches, webhooks, process.
import { METRIC as M } from './metric-names.js';
import { type Matchers, quantile, selector, sumRate } from './promql.js';

export interface DashboardOptions {
  /** The operator's name: the title ("<name> operator") and the uid. */
  name: string;
}

export interface DashboardTarget {
  expr: string;
  legendFormat: string;
  refId: string;
}

export interface DashboardPanel {
  id: number;
  type: 'row' | 'timeseries' | 'stat';
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  description?: string;
  targets?: DashboardTarget[];
  [key: string]: unknown;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  [key: string]: unknown;
}

const RANGE = '$__rate_interval';
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** Every query: the job(s) picked at the top, and the controller(s) where the series has that label. */
const JOB: Matchers = { job: { re: '$job' } };
const CONTROLLER: Matchers = { ...JOB, controller: { re: '$controller' } };
const QUEUE: Matchers = { ...JOB, name: { re: '$controller' } };

type Unit = 'ops' | 's' | 'short' | 'percentunit' | 'bytes' | 'percent' | 'dtdurations';
interface PanelSpec {
  title: string;
  description: string;
  unit: Unit;
  /** [expr, legend] pairs. */
  queries: Array<[string, string]>;
  type?: 'timeseries' | 'stat';
  /** Width in grid columns (of 24); default 8. */
  w?: number;
}

/** Rows of panels, in order; each row lays its panels out left to right, wrapping at 24 columns. */
function rows(): Array<[string, PanelSpec[]]> {
  const q = (family: string, by: string[], matchers: Matchers, legend: string): Array<[string, string]> =>
    [0.5, 0.99].map((p) => [quantile(p, family, by, matchers, RANGE), `p${p * 100} ${legend}`]);
  return [
    [
      'Reconciles',
      [
        {
          title: 'Reconciles by result',
          description: 'Reconciles per second, by controller (plural.group) and result.',
          unit: 'ops',
          queries: [
            [sumRate(M.reconcileTotal, ['controller', 'result'], CONTROLLER, RANGE), '{{controller}} {{result}}'],
          ],
        },
        {
          title: 'Errors',
          description:
            'Failed reconciles per second (retried), terminal ones (PermanentError, not retried), and handler timeouts.',
          unit: 'ops',
          queries: [
            [sumRate(M.reconcileErrors, ['controller'], CONTROLLER, RANGE), '{{controller}} errors'],
            [sumRate(M.terminalErrors, ['controller'], CONTROLLER, RANGE), '{{controller}} terminal'],
            [sumRate(M.reconcileTimeouts, ['controller'], CONTROLLER, RANGE), '{{controller}} timeouts'],
          ],
        },
        {
          title: 'Reconcile latency',
          description: 'p50 and p99 of the time a reconcile takes, by controller.',
          unit: 's',
          queries: q(M.reconcileTime, ['controller'], CONTROLLER, '{{controller}}'),
        },
        {
          title: 'Handler runs by outcome',
          description: 'Handler runs per second that did not succeed, by handler and outcome.',
          unit: 'ops',
          queries: [
            [
              sumRate(
                M.handlerRuns,
                ['controller', 'handler', 'outcome'],
                { ...CONTROLLER, outcome: { not: 'success' } },
                RANGE,
              ),
              '{{controller}} {{handler}} {{outcome}}',
            ],
          ],
        },
        {
          title: 'Active workers',
          description: 'Reconciles running now, against the most allowed at once (--max-concurrent-reconciles).',
          unit: 'short',
          queries: [
            [`sum by (controller) (${selector(M.activeWorkers, CONTROLLER)})`, '{{controller}} active'],
            [`max by (controller) (${selector(M.maxConcurrent, CONTROLLER)})`, '{{controller}} max'],
          ],
        },
        {
          title: 'Status writes',
          description: 'Status patches accepted per second, and the ones that failed for good, by class.',
          unit: 'ops',
          queries: [
            [sumRate(M.statusWrites, ['controller'], CONTROLLER, RANGE), '{{controller}} written'],
            [sumRate(M.statusWriteFailures, ['controller', 'class'], CONTROLLER, RANGE), '{{controller}} {{class}}'],
          ],
        },
      ],
    ],
    [
      'Work queue',
      [
        {
          title: 'Queue depth',
          description: 'Keys waiting for a worker. Growing for long means the workers cannot keep up.',
          unit: 'short',
          queries: [[`sum by (name) (${selector(M.queueDepth, QUEUE)})`, '{{name}}']],
        },
        {
          title: 'Queue wait',
          description: 'p50 and p99 of how long a key waits in the queue before a worker takes it.',
          unit: 's',
          queries: q(M.queueDuration, ['name'], QUEUE, '{{name}}'),
        },
        {
          title: 'Adds and retries',
          description:
            'Keys queued per second, and the ones queued again with a delay (backoff retries, requeueAfter).',
          unit: 'ops',
          queries: [
            [sumRate(M.queueAdds, ['name'], QUEUE, RANGE), '{{name}} adds'],
            [sumRate(M.queueRetries, ['name'], QUEUE, RANGE), '{{name}} retries'],
          ],
        },
        {
          title: 'Longest running reconcile',
          description: 'How long the oldest running reconcile has been running: a climbing line is a stuck handler.',
          unit: 's',
          queries: [[`max by (name) (${selector(M.queueLongestRunning, QUEUE)})`, '{{name}}']],
        },
      ],
    ],
    [
      'Leader and API server',
      [
        {
          title: 'Leader',
          description:
            'Replicas leading each Lease (leader_election_master_status): 1 is right, 0 means no replica leads.',
          unit: 'short',
          type: 'stat',
          queries: [[`sum by (name) (${selector(M.leader, JOB)})`, '{{name}}']],
        },
        {
          title: 'API requests by code',
          description: 'Requests to the API server per second, by HTTP code (<error>: no answer) and method.',
          unit: 'ops',
          queries: [[sumRate(M.restRequests, ['code', 'method'], JOB, RANGE), '{{method}} {{code}}']],
        },
        {
          title: 'API request latency',
          description: 'p50 and p99 of the API server requests until the answer, by verb.',
          unit: 's',
          queries: q(M.restDuration, ['verb'], JOB, '{{verb}}'),
        },
      ],
    ],
    [
      'Watches',
      [
        {
          title: 'Watch events',
          description: 'Watch events received per second, by resource and type.',
          unit: 'ops',
          queries: [[sumRate(M.watchEvents, ['controller', 'type'], CONTROLLER, RANGE), '{{controller}} {{type}}']],
        },
        {
          title: 'Watch restarts',
          description:
            'Watches started again, by reason: error (a failed list or watch), watchdog (silent too long), gone (410, relisted).',
          unit: 'short',
          queries: [
            [
              `sum by (controller, reason) (increase(${selector(M.watchRestarts, CONTROLLER)}[${RANGE}]))`,
              '{{controller}} {{reason}}',
            ],
          ],
        },
        {
          title: 'Cached objects',
          description: 'Objects in the watch cache, by resource.',
          unit: 'short',
          queries: [[`max by (controller) (${selector(M.cacheObjects, CONTROLLER)})`, '{{controller}}']],
        },
      ],
    ],
    [
      'Webhooks',
      [
        {
          title: 'Webhook requests by code',
          description:
            'Admission and conversion requests per second, by webhook path and HTTP code. A denial is an answer (200); other codes are failures the API server sees.',
          unit: 'ops',
          queries: [[sumRate(M.webhookRequests, ['webhook', 'code'], JOB, RANGE), '{{webhook}} {{code}}']],
        },
        {
          title: 'Webhook rejections',
          description:
            'Admission requests answered allowed: false per second, by path and reason: denied (the method threw Denied), error (it failed or timed out).',
          unit: 'ops',
          queries: [[sumRate(M.webhookRejections, ['webhook', 'reason'], JOB, RANGE), '{{webhook}} {{reason}}']],
        },
        {
          title: 'Webhook latency',
          description: 'p50 and p99 of the time a webhook request takes, by path.',
          unit: 's',
          queries: q(M.webhookLatency, ['webhook'], JOB, '{{webhook}}'),
        },
        {
          title: 'Webhook requests in flight',
          description: 'Webhook requests being served now, by path.',
          unit: 'short',
          queries: [[`sum by (webhook) (${selector(M.webhookInFlight, JOB)})`, '{{webhook}}']],
        },
        {
          title: 'Webhook certificate expires in',
          description:
            'Time left on the serving certificate of each pod. kubeop and cert-manager renew at two thirds of its life (30 days left of 90).',
          unit: 'dtdurations',
          type: 'stat',
          queries: [[`min by (pod) (${selector(M.certificateExpiry, JOB)}) - time()`, '{{pod}}']],
        },
      ],
    ],
    [
      'Operating controls',
      [
        {
          title: 'Paused objects',
          description:
            'Objects with the kubeop.dev/paused annotation, by resource: nothing runs for them until it goes.',
          unit: 'short',
          queries: [[`max by (controller) (${selector(M.pausedObjects, CONTROLLER)})`, '{{controller}}']],
        },
        {
          title: 'Runs delayed by rateLimit',
          description: "Handler runs held back per second by the class's rateLimit (they run when the window allows).",
          unit: 'ops',
          queries: [[sumRate(M.rateLimitedRuns, ['controller'], CONTROLLER, RANGE), '{{controller}}']],
        },
        {
          title: 'API requests throttled',
          description:
            'Requests per second that waited for --kube-api-qps, and the p99 of that wait, by verb (empty without the flag).',
          unit: 'ops',
          queries: [
            [sumRate(M.apiThrottled, ['verb'], JOB, RANGE), '{{verb}} throttled'],
            [quantile(0.99, M.apiRateLimiterWait, ['verb'], JOB, RANGE), '{{verb}} wait p99 (s)'],
          ],
        },
        {
          title: 'Dry-run writes',
          description: 'With --dry-run: writes the API server accepted with dryRun=All and stored nowhere, by verb.',
          unit: 'ops',
          queries: [[sumRate(M.dryRunWrites, ['verb'], JOB, RANGE), '{{verb}}']],
        },
      ],
    ],
    [
      'Process',
      [
        {
          title: 'CPU',
          description: 'CPU seconds used per second, by pod.',
          unit: 'short',
          queries: [[`sum by (pod) (rate(${selector(M.processCpu, JOB)}[${RANGE}]))`, '{{pod}}']],
        },
        {
          title: 'Memory',
          description: 'Resident memory and V8 heap in use, by pod.',
          unit: 'bytes',
          queries: [
            [`sum by (pod) (${selector(M.processMemory, JOB)})`, '{{pod}} RSS'],
            [`sum by (pod) (${selector(M.heapUsed, JOB)})`, '{{pod}} heap used'],
          ],
        },
        {
          title: 'Event loop lag p99',
          description:
            'How late the event loop runs timers: a blocked loop delays every handler and the Lease renewal.',
          unit: 's',
          queries: [[`max by (pod) (${selector(M.eventLoopLag, JOB)})`, '{{pod}}']],
        },
      ],
    ],
  ];
}

/** The dashboard JSON Grafana imports (or its sidecar loads from a ConfigMap). Deterministic: same input, same JSON. */
export function operatorDashboard(options: DashboardOptions): Dashboard {
  const panels: DashboardPanel[] = [];
  let y = 0;
  for (const [rowTitle, specs] of rows()) {
    panels.push({
      id: panels.length + 1,
      type: 'row',
      title: rowTitle,
      collapsed: false,
      gridPos: { x: 0, y, w: 24, h: 1 },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const spec of specs) {
      const w = spec.w ?? 8;
      if (x + w > 24) {
        x = 0;
        y += 8;
      }
      panels.push(panel(panels.length + 1, spec, { x, y, w, h: 8 }));
      x += w;
    }
    y += 8;
  }
  return {
    uid: dashboardUid(options.name),
    title: `${options.name} operator`,
    description: `Reconciles, work queue, API requests, watches, webhooks and process of ${options.name} (kubeop).`,
    tags: ['kubeop', 'operator'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        templateQuery('job', 'Job', `label_values(${M.reconcileTotal}, job)`, false),
        templateQuery('controller', 'Controller', `label_values(${selector(M.reconcileTotal, JOB)}, controller)`, true),
      ],
    },
    panels,
  };
}

/** Grafana's uid is at most 40 characters; the operator's name is a DNS label, so this one is stable and valid. */
export function dashboardUid(name: string): string {
  return `kubeop-${name}`.slice(0, 40);
}

function panel(id: number, spec: PanelSpec, gridPos: DashboardPanel['gridPos']): DashboardPanel {
  const type = spec.type ?? 'timeseries';
  return {
    id,
    type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
    options:
      type === 'stat'
        ? {
            reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
            colorMode: 'value',
            graphMode: 'none',
          }
        : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi' } },
    targets: spec.queries.map(([expr, legendFormat], i) => ({
      datasource: DATASOURCE,
      expr,
      legendFormat,
      refId: String.fromCharCode(65 + i),
    })),
  };
}

function templateQuery(name: string, label: string, query: string, includeAll: boolean) {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query, refId: name },
    definition: query,
    refresh: 2,
    multi: true,
    includeAll,
    ...(includeAll ? { allValue: '.*' } : {}),
    current: {},
    sort: 1,
    hide: 0,
  };
}
