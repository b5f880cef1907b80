// Everything that installs an operator: its namespace, CRDs, a ServiceAccount, least-privilege RBAC and a Deployment.
import { crdManifest, PERMISSIVE_SCHEMA, type ResourceDescription } from '@kubeop/core/tooling';
import { type DeploymentOptions, operatorDeployment } from './deployment.js';
import type { Manifest } from './manifest.js';
import { leaseRules, operatorRules, type PolicyRule } from './rbac.js';
import { hasWebhooks, webhookManifests } from './webhook-manifests.js';
import { monitoringManifests } from '../monitoring/monitoring-manifests.js';

export type { Manifest } from './manifest.js';

/** What the Deployment takes (its `namespace` is `operatorNamespace`), and the CRDs. */
export interface ManifestOptions extends Omit<DeploymentOptions, 'namespace'> {
  /** Rules for what the handlers do themselves (`this.client`), added to the objects' role. Defaults to none. */
  extraRules?: PolicyRule[];
  /** Where the operator runs: its ServiceAccount, Deployment and Lease role. */
  operatorNamespace: string;
  /** Emit the Namespace `operatorNamespace` first, so the manifests apply to a fresh cluster. Defaults to `true`. */
  createNamespace?: boolean;
  /**
   * The CRD of a custom resource, e.g. the one `kubeop crd` generated. Defaults to crdManifest(resource): its
   * permissive schema, at every served version.
   */
  crdFor?: (
    resource: ResourceDescription['resource'],
    versions: ResourceDescription['versions'],
  ) => Record<string, unknown>;
  /** Webhook certificates from cert-manager instead of self-managed ones. Defaults to false. */
  certManager?: boolean;
  /** A PodMonitor, the Grafana dashboard and the alert rules, for the Prometheus Operator's stack. Defaults to none. */
  monitoring?: ManifestMonitoringOptions;
}

export interface ManifestMonitoringOptions {
  podMonitor?: boolean;
  /** The dashboard as a ConfigMap labelled `grafana_dashboard: "1"`. */
  dashboard?: boolean;
  /** The alert rules as a PrometheusRule. */
  alerts?: boolean;
  /** More labels on these objects (kube-prometheus-stack's Prometheus selects rules by `release: <its release>`). */
  labels?: Record<string, string>;
  /** The `job` label of the operator's targets, which the alerts select. Defaults to the operator's name. */
  job?: string;
}

export function operatorManifests(descriptions: ResourceDescription[], options: ManifestOptions): Manifest[] {
  const { name, operatorNamespace } = options;
  const account = { kind: 'ServiceAccount', name, namespace: operatorNamespace };
  const computed = operatorRules(descriptions, options);
  const rules = { ...computed, objects: [...computed.objects, ...(options.extraRules ?? [])] };
  const manifests: Manifest[] = options.createNamespace === false ? [] : [namespace(name, operatorNamespace)];
  const crds = descriptions
    .filter((d) => d.resource.custom)
    .map((d) =>
      structuredClone(
        options.crdFor
          ? options.crdFor(d.resource, d.versions)
          : crdManifest(d.resource, d.resource.schema ?? PERMISSIVE_SCHEMA, d.versions),
      ),
    ) as Manifest[];
  manifests.push(...crds);
  manifests.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: operatorNamespace } });
  const clusterRules = [...rules.cluster, ...(options.watchNamespace ? [] : rules.objects)];
  if (clusterRules.length) manifests.push(...binding('Cluster', name, undefined, clusterRules, account));
  if (options.watchNamespace) manifests.push(...binding('', name, options.watchNamespace, rules.objects, account));
  if (options.leaderElect)
    manifests.push(...binding('', `${name}-leader-election`, operatorNamespace, leaseRules(), account));
  const deployment = operatorDeployment({ ...options, namespace: operatorNamespace }) as Manifest;
  const podLabels = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
  const withWebhooks = hasWebhooks(descriptions);
  if (withWebhooks) {
    const webhooks = webhookManifests(descriptions, {
      name,
      operatorNamespace,
      watchNamespace: options.watchNamespace,
      certManager: options.certManager ?? false,
      ownsCrds: options.createCrd || options.updateCrd,
      podLabels,
    });
    webhooks.patchDeployment(deployment);
    for (const crd of crds) webhooks.patchCrd(crd);
    manifests.push(...webhooks.manifests);
  }
  manifests.push(deployment);
  const monitoring = options.monitoring;
  if (monitoring)
    manifests.push(
      ...monitoringManifests({
        name,
        operatorNamespace,
        podLabels,
        dashboard: monitoring.dashboard ?? false,
        alerts: monitoring.alerts ?? false,
        podMonitor: monitoring.podMonitor ?? false,
        labels: monitoring.labels ?? {},
        alertOptions: {
          job: monitoring.job ?? name,
          leaderElect: options.leaderElect,
          webhooks: withWebhooks,
        },
      }),
    );
  return manifests;
}

/** The operator's own namespace: first, as kubectl applies in order and everything else of the operator lives there. */
function namespace(operator: string, name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/name': operator } } };
}

/** A Role (or ClusterRole) and the binding that gives it to the operator's ServiceAccount. */
function binding(
  scope: 'Cluster' | '',
  name: string,
  namespace: string | undefined,
  rules: PolicyRule[],
  subject: { kind: string; name: string; namespace: string },
): Manifest[] {
  const metadata = namespace ? { name, namespace } : { name };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: `${scope}Role`, metadata, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: `${scope}RoleBinding`,
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: `${scope}Role`, name },
      subjects: [subject],
    },
  ];
}
