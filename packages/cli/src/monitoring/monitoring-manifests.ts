// The monitoring objects `kubeop manifests` adds on request: the dashboard as a ConfigMap for Grafana's sidecar, the
// alerts as a PrometheusRule, and a PodMonitor that scrapes the operator, all for the Prometheus Operator's stack.
import { type AlertOptions, operatorAlerts, type RuleGroup } from './alerts.js';
import { operatorDashboard } from './dashboard.js';
import type { Manifest } from '../manifests/manifest.js';

export interface MonitoringOptions {
  name: string;
  operatorNamespace: string;
  /** Labels of the operator's pods (the Deployment's selector), for the PodMonitor. */
  podLabels: Record<string, string>;
  /** Emit the dashboard ConfigMap. */
  dashboard: boolean;
  /** Emit the PrometheusRule. */
  alerts: boolean;
  /** Emit the PodMonitor. */
  podMonitor: boolean;
  /** More labels on all three, e.g. `release: kube-prometheus-stack`, which its Prometheus selects rules by. */
  labels: Record<string, string>;
  /** For the alerts: the scrape job, leader election, webhooks. */
  alertOptions: Omit<AlertOptions, 'name'>;
}

/** Grafana's sidecar (kube-prometheus-stack's default) loads every ConfigMap with this label and value. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;
/** The port name of the operator's metrics (the Deployment's `metrics` port). */
const METRICS_PORT_NAME = 'metrics';
/** The pod label whose value becomes the PodMonitor's `job` (the operator's name, which the alerts select). */
const JOB_LABEL = 'app.kubernetes.io/name';

export function monitoringManifests(options: MonitoringOptions): Manifest[] {
  const { name, operatorNamespace: namespace, labels } = options;
  const manifests: Manifest[] = [];
  if (options.podMonitor)
    manifests.push({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/name': name, ...labels } },
      spec: {
        jobLabel: JOB_LABEL,
        selector: { matchLabels: options.podLabels },
        podMetricsEndpoints: [{ port: METRICS_PORT_NAME, path: '/metrics', interval: '30s' }],
      },
    });
  if (options.dashboard)
    manifests.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `${name}-dashboard`,
        namespace,
        labels: { 'app.kubernetes.io/name': name, ...GRAFANA_DASHBOARD_LABEL, ...labels },
      },
      data: { [`${name}.json`]: dashboardJson(name) },
    });
  if (options.alerts)
    manifests.push({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: `${name}-alerts`, namespace, labels: { 'app.kubernetes.io/name': name, ...labels } },
      spec: alertRulesFile({ name, ...options.alertOptions }),
    });
  return manifests;
}

/** The dashboard as the JSON file Grafana imports. */
export function dashboardJson(name: string): string {
  return `${JSON.stringify(operatorDashboard({ name }), null, 2)}\n`;
}

/** A Prometheus rules file (`rule_files:`), for a Prometheus without the Prometheus Operator. */
export function alertRulesFile(options: AlertOptions): { groups: RuleGroup[] } {
  return { groups: [operatorAlerts(options)] };
}
