// The dashboard and alert rules: valid JSON and YAML, a stable uid, unique panel ids, PromQL that parses, rules with a
// duration and a severity, and the monitoring objects `kubeop manifests` adds.
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { CustomResource, OnAdded, OnValidate } from '@kubeop/decorators';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { operatorAlerts } from '../src/monitoring/alerts.js';
import { dashboardUid, operatorDashboard } from '../src/monitoring/dashboard.js';
import { alertRulesFile, dashboardJson } from '../src/monitoring/monitoring-manifests.js';
import { type Manifest, operatorManifests } from '../src/manifests/manifests.js';
import { toYaml } from '../src/manifests/yaml.js';
import { promqlUses, unknownNames } from './support/promql-check.js';

const resource = { group: 'monitoring.test.kubeop.dev', version: 'v1', plural: 'dials', kind: 'Dial' } as const;

@CustomResource(resource)
class Dials {
  @OnAdded() added(): void {}
}

@CustomResource({ ...resource, plural: 'knobs', kind: 'Knob' })
class Knobs {
  @OnValidate() check(): void {}
}

const allAlerts = operatorAlerts({ name: 'dial', job: 'dial', leaderElect: true, webhooks: true });

describe('the dashboard', () => {
  const dashboard = operatorDashboard({ name: 'dial-operator' });
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('is JSON Grafana reads back unchanged, with a stable uid of at most 40 characters', () => {
    expect(JSON.parse(dashboardJson('dial-operator'))).toEqual(dashboard);
    expect(dashboard.uid).toBe('kubeop-dial-operator');
    expect(dashboardUid('a'.repeat(63))).toHaveLength(40);
    expect(operatorDashboard({ name: 'other' }).uid).not.toBe(dashboard.uid);
  });

  it('gives every panel a unique id and a place inside the 24 columns, without overlaps', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { gridPos: g, title } of dashboard.panels) {
      expect([title, g.x + g.w <= 24]).toEqual([title, true]);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect([title, cells.has(`${x},${y}`)]).toEqual([title, false]);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('has the panels asked for, each with queries that parse and distinct refIds', () => {
    expect(panels.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        'Reconciles by result',
        'Errors',
        'Reconcile latency',
        'Queue depth',
        'Queue wait',
        'Adds and retries',
        'Active workers',
        'Leader',
        'API requests by code',
        'Webhook latency',
        'Webhook requests by code',
        'Webhook rejections',
        'Webhook certificate expires in',
        'Watch restarts',
        'CPU',
        'Memory',
      ]),
    );
    for (const panel of panels) {
      const targets = panel.targets ?? [];
      expect([panel.title, targets.length > 0]).toEqual([panel.title, true]);
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      for (const { expr } of targets) {
        const uses = promqlUses(expr);
        expect([panel.title, expr, uses.errors]).toEqual([panel.title, expr, []]);
        expect(uses.selectors.length).toBeGreaterThan(0);
      }
    }
  });

  it('filters every query by the job variable', () => {
    for (const panel of panels)
      for (const { expr } of panel.targets ?? [])
        for (const selector of promqlUses(expr).selectors)
          expect([panel.title, selector.metric, selector.labels]).toEqual([
            panel.title,
            selector.metric,
            expect.arrayContaining(['job']),
          ]);
  });
});

describe('the alert rules', () => {
  it('have unique names, a for: duration, a severity and a summary, and PromQL that parses', () => {
    const names = allAlerts.rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of allAlerts.rules) {
      expect([rule.alert, rule.for]).toEqual([rule.alert, expect.stringMatching(/^\d+[smh]$/)]);
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(0);
      expect([rule.alert, promqlUses(rule.expr).errors]).toEqual([rule.alert, []]);
      for (const selector of promqlUses(rule.expr).selectors)
        expect([rule.alert, selector.metric, selector.labels]).toEqual([
          rule.alert,
          selector.metric,
          expect.arrayContaining(['job']),
        ]);
    }
  });

  it('alert on what the operator has: no leader only with leader election, webhooks only with webhooks', () => {
    expect(allAlerts.rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'KubeopOperatorDown',
        'KubeopReconcileErrorsHigh',
        'KubeopReconcileSlow',
        'KubeopWorkQueueGrowing',
        'KubeopWorkQueueWaitLong',
        'KubeopWatchFailing',
        'KubeopNoLeader',
        'KubeopWebhookErrors',
        'KubeopWebhookSlow',
        'KubeopWebhookMethodFailing',
        'KubeopWebhookCertificateExpiring',
      ]),
    );
    const plain = operatorAlerts({ name: 'dial', job: 'dial', leaderElect: false, webhooks: false });
    expect(plain.rules.map((r) => r.alert).filter((a) => /Leader|Webhook/.test(a))).toEqual([]);
  });

  it('select the job they are given', () => {
    const rules = operatorAlerts({ name: 'dial', job: 'monitoring/dial-pods', leaderElect: true, webhooks: true });
    for (const rule of rules.rules) expect(rule.expr).toContain('job="monitoring/dial-pods"');
  });

  it('write a rules file Prometheus loads: YAML of groups with rules', () => {
    const file = alertRulesFile({ name: 'dial', job: 'dial', leaderElect: true, webhooks: false });
    expect(parse(toYaml(file))).toEqual({ groups: [expect.objectContaining({ name: 'kubeop-dial' })] });
  });
});

describe('the PromQL check', () => {
  const known = {
    series: new Map([
      ['a_total', new Set(['controller'])],
      ['h_bucket', new Set(['le', 'webhook'])],
    ]),
    scrapeSeries: ['up'],
    targetLabels: ['job'],
  };

  it('accepts exported series, their labels and the target labels', () => {
    expect(unknownNames('sum by (job, controller) (rate(a_total{job="x"}[5m])) and on (job) up == 1', known)).toEqual(
      [],
    );
    expect(
      unknownNames('histogram_quantile(0.9, sum by (le, webhook) (rate(h_bucket[$__rate_interval])))', known),
    ).toEqual([]);
  });

  it('names an unknown metric, a label a metric lacks, a grouping by it, and a syntax error', () => {
    expect(unknownNames('rate(b_total[5m])', known)).toEqual(['unknown metric b_total']);
    expect(unknownNames('a_total{webhook="x"}', known)).toEqual(['a_total has no label webhook']);
    expect(unknownNames('sum by (result) (a_total)', known)).toEqual(['groups by result, which a_total does not have']);
    expect(unknownNames('sum(a_total', known)[0]).toMatch(/^does not parse at/);
  });
});

describe('kubeop manifests with monitoring', () => {
  const manifests = (monitoring: Parameters<typeof operatorManifests>[1]['monitoring'], classes = [Dials, Knobs]) =>
    operatorManifests(
      classes.map((c) => describeHandlerClass(c)),
      {
        name: 'dial-operator',
        operatorNamespace: 'dials',
        image: 'example.com/dial:1',
        replicas: 2,
        leaderElect: true,
        watchNamespace: undefined,
        createCrd: false,
        updateCrd: false,
        monitoring,
      },
    );
  const find = (list: Manifest[], kind: string) => list.find((m) => m.kind === kind)!;

  it('adds nothing unless asked', () => {
    const kinds = manifests(undefined).map((m) => m.kind);
    expect(kinds).toEqual(manifests({}).map((m) => m.kind));
    expect(kinds.filter((k) => ['PodMonitor', 'PrometheusRule', 'ConfigMap'].includes(k))).toEqual([]);
  });

  it('adds the dashboard ConfigMap for the Grafana sidecar, the PrometheusRule and a PodMonitor of the pods', () => {
    const list = manifests({ dashboard: true, alerts: true, podMonitor: true, labels: { release: 'kps' } });
    expect(list.slice(-3).map((m) => m.kind)).toEqual(['PodMonitor', 'ConfigMap', 'PrometheusRule']);
    const configMap = find(list, 'ConfigMap') as Manifest & { data: Record<string, string> };
    expect(configMap.metadata).toMatchObject({
      name: 'dial-operator-dashboard',
      namespace: 'dials',
      labels: { grafana_dashboard: '1', release: 'kps' },
    });
    expect(JSON.parse(configMap.data['dial-operator.json']!)).toEqual(operatorDashboard({ name: 'dial-operator' }));

    const rule = find(list, 'PrometheusRule') as Manifest & {
      spec: { groups: Array<{ rules: Array<{ alert: string }> }> };
    };
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.labels).toMatchObject({ release: 'kps' });
    // Knobs has a webhook and leader election is on: all the rules.
    expect(rule.spec.groups[0]!.rules.map((r) => r.alert)).toEqual(allAlerts.rules.map((r) => r.alert));

    const deployment = find(list, 'Deployment') as Manifest & {
      spec: {
        selector: { matchLabels: Record<string, string> };
        template: { spec: { containers: Array<{ ports: Array<{ name: string }> }> } };
      };
    };
    const podMonitor = find(list, 'PodMonitor') as Manifest & {
      spec: { jobLabel: string; selector: unknown; podMetricsEndpoints: Array<{ port: string }> };
    };
    expect(podMonitor.spec.selector).toEqual({ matchLabels: deployment.spec.selector.matchLabels });
    expect(deployment.spec.template.spec.containers[0]!.ports.map((p) => p.name)).toContain(
      podMonitor.spec.podMetricsEndpoints[0]!.port,
    );
    // The job the alerts select is the value of the pod label the PodMonitor takes the job from.
    expect(deployment.spec.selector.matchLabels[podMonitor.spec.jobLabel]).toBe('dial-operator');
    expect(parse(toYaml(list.slice(-3)))).toBeTruthy();
  });

  it('leaves the webhook rules out for an operator without webhooks', () => {
    const rule = find(manifests({ alerts: true }, [Dials]), 'PrometheusRule') as Manifest & {
      spec: { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    };
    const rules = rule.spec.groups[0]!.rules;
    expect(rules.some((r) => r.alert.includes('Webhook'))).toBe(false);
    expect(rules.find((r) => r.alert === 'KubeopOperatorDown')!.expr).toBe('up{job="dial-operator"} == 0');
  });
});
