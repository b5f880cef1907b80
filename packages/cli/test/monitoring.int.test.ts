// Every query of the dashboard and every alert expression names only series an operator exports, with labels they
// carry: checked against the /metrics of an operator running on the real control plane, with leader election and a
// webhook the API server has called, a rateLimit and --kube-api-qps, and a second operator under --dry-run, so that
// every series exists.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnValidate } from '@kubeop/decorators';
import { Denied, KubeApiError, ObjectClient } from '@kubeop/core';
import { describeHandlerClass, ensureCrd, KubeClient } from '@kubeop/core/tooling';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { runOperator, stopAllOperators } from '@kubeop/testing/operator';
import { operatorAlerts } from '../src/monitoring/alerts.js';
import { operatorDashboard } from '../src/monitoring/dashboard.js';
import { SCRAPE_METRIC, TARGET_LABELS } from '../src/monitoring/metric-names.js';
import { monitoringManifests } from '../src/monitoring/monitoring-manifests.js';
import { exportedSeries, type Known, unknownInLabelValues, unknownNames } from './support/promql-check.js';

const resource = { group: 'monitoring.it.kubeop.dev', version: 'v1', plural: 'gauges', kind: 'Gauge' } as const;
type Gauge = { metadata: { name: string }; spec?: { reading?: number } };

@CustomResource({ ...resource, rateLimit: { runs: 5, perSeconds: 1 } })
class Gauges {
  @OnAdded() added(): void {}
  @OnValidate() check(gauge: Gauge): void {
    if ((gauge.spec?.reading ?? 0) < 0) throw new Denied('a reading is not negative', { field: 'spec.reading' });
  }
}

let env: TestEnvironment;
let admin: KubeClient;
beforeAll(async () => {
  env = await testEnvironment();
  admin = new KubeClient(env.kubeConfig);
  await ensureCrd(admin, describeHandlerClass(Gauges).resource);
});
afterEach(() => stopAllOperators());
afterAll(() => admin.close());

/** The series of a running operator, after a reconcile and an admitted and a denied webhook call. */
async function scrapeOperator(): Promise<Map<string, Set<string>>> {
  const running = await runOperator(Gauges, {
    kubeconfigPath: env.kubeconfigPath,
    namespace: env.namespace,
    name: `mon-${env.namespace}`,
    argv: [
      ...['--metrics-bind-address', '127.0.0.1:0', '--leader-elect', '--leader-election-namespace', env.namespace],
      // A burst of one makes the start-up's requests wait, so the throttling series exist.
      ...['--kube-api-qps', '50', '--kube-api-burst', '1'],
    ],
  });
  const objects = new ObjectClient(admin, { fieldManager: 'monitoring-test' });
  const gauge = (name: string, reading: number) =>
    ({
      apiVersion: `${resource.group}/${resource.version}`,
      kind: resource.kind,
      metadata: { name, namespace: env.namespace },
      spec: { reading },
    }) as never;
  await objects.apply(gauge('ok', 1));
  const denied = await objects.apply(gauge('negative', -1)).catch((error: unknown) => error);
  expect(denied).toBeInstanceOf(KubeApiError);
  const url = await eventually(
    () => /serving metrics on (http:\/\/\S+\/metrics)/.exec(running.logText())?.[1],
    'the metrics server',
  );
  return eventually(
    async () => {
      const series = exportedSeries(await (await fetch(url)).text());
      const reconciled = series.has('controller_runtime_reconcile_total');
      const leading = series.has('leader_election_master_status');
      const throttled = series.has('kubeop_api_throttled_requests_total');
      const webhook = series.has('controller_runtime_webhook_requests_total');
      return reconciled && leading && throttled && webhook ? series : undefined;
    },
    'the reconcile, leader, throttling and webhook series',
    120_000,
  );
}

/** The series only an operator under --dry-run exports, once it made a (dry) write. */
async function scrapeDryRunOperator(): Promise<Map<string, Set<string>>> {
  const running = await runOperator(Gauges, {
    kubeconfigPath: env.kubeconfigPath,
    namespace: env.namespace,
    name: `mon-dry-${env.namespace}`,
    argv: ['--metrics-bind-address', '127.0.0.1:0', '--dry-run'],
  });
  const url = await eventually(
    () => /serving metrics on (http:\/\/\S+\/metrics)/.exec(running.logText())?.[1],
    "the dry-run operator's metrics server",
  );
  return eventually(
    async () => {
      const series = exportedSeries(await (await fetch(url)).text());
      return series.has('kubeop_dry_run_writes_total') ? series : undefined;
    },
    'a dry-run write counted',
    120_000,
  );
}

describe('the dashboard and alert rules against /metrics', () => {
  it('name only exported metrics, and only labels those metrics carry', async () => {
    const series = await scrapeOperator();
    for (const [name, labels] of await scrapeDryRunOperator())
      series.set(name, new Set([...(series.get(name) ?? []), ...labels]));
    const known: Known = {
      series,
      scrapeSeries: Object.values(SCRAPE_METRIC),
      targetLabels: TARGET_LABELS,
    };
    const problems: string[] = [];
    const dashboard = operatorDashboard({ name: 'gauges' });
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? [])
        problems.push(...unknownNames(target.expr, known).map((p) => `panel "${panel.title}": ${p}`));
    const variables = (dashboard.templating as { list: Array<{ name: string; query: unknown }> }).list;
    for (const variable of variables.filter((v) => typeof v.query === 'object'))
      problems.push(
        ...unknownInLabelValues((variable.query as { query: string }).query, known).map(
          (p) => `variable $${variable.name}: ${p}`,
        ),
      );
    const alerts = operatorAlerts({ name: 'gauges', job: 'gauges', leaderElect: true, webhooks: true });
    for (const rule of alerts.rules)
      problems.push(...unknownNames(rule.expr, known).map((p) => `alert ${rule.alert}: ${p}`));
    expect(problems).toEqual([]);
    // The check saw the panels' series, not an empty scrape.
    expect(known.series.get('controller_runtime_webhook_latency_seconds_bucket')).toEqual(new Set(['webhook', 'le']));
    expect(alerts.rules.length).toBeGreaterThan(9);
  });

  it('the dashboard ConfigMap is one the API server stores', async () => {
    const [configMap] = monitoringManifests({
      name: 'gauges',
      operatorNamespace: env.namespace,
      podLabels: { 'app.kubernetes.io/name': 'gauges' },
      dashboard: true,
      alerts: false,
      podMonitor: false,
      labels: {},
      alertOptions: { job: 'gauges', leaderElect: true, webhooks: true },
    });
    const objects = new ObjectClient(admin, { fieldManager: 'monitoring-test' });
    const stored = (await objects.apply(configMap as never)) as { data: Record<string, string> };
    expect(JSON.parse(stored.data['gauges.json']!)).toEqual(operatorDashboard({ name: 'gauges' }));
  });
});
