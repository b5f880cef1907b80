// The operator's Deployment: replicas behind leader election, probes on the probe port, a hardened pod.

export interface DeploymentOptions {
  /** Operator name: the ServiceAccount, roles and Deployment (and the operator's own name for its Lease). */
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  leaderElect: boolean;
  /** Watch one namespace (a Role there), or all (a ClusterRole) when undefined. */
  watchNamespace: string | undefined;
  createCrd: boolean;
  updateCrd: boolean;
}

export const METRICS_PORT = 8080;
export const PROBE_PORT = 8081;

/**
 * Node.js flags of the operator's container. V8 grows its young generation up to 16 MiB per semi-space under a burst
 * of events and keeps the pages; capped at 1 MiB, a 2,000-object storm peaks at about 95 MiB instead of 276 MiB, for
 * the same CPU per object as 2 MiB within the bench's noise. One V8 worker thread (instead of 4) for background GC
 * and compilation: a pod has a fraction of a core, and it saves 1-2 MiB idle (`npm run bench:footprint`; the
 * README's performance section has the figures).
 */
export const NODE_OPTIONS = '--max-semi-space-size=1 --v8-pool-size=1';

/**
 * From `npm run bench:footprint` (an operator setting status.state on every object, as its own process run as this
 * Deployment runs it, NODE_OPTIONS above, Node 24, 2 shared cores, two runs from a clean clone): 78–79 MiB RSS idle,
 * 97–98 MiB settled with 10,000 objects cached, a 2,000-object storm peaking at 89 MiB. The request covers 10,000
 * cached objects with a fifth to spare (98 × 1.2, rounded up to 16 Mi); the memory limit leaves half again the larger
 * of the storm's peak and the 10,000 cached (98 × 1.5, rounded up to 16 Mi); no CPU limit, so a storm is slowed by
 * nothing but the node (a CPU limit throttles the lease renewals too). Re-derive both from the bench's figures with
 * the same rules when they move.
 */
export const RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { memory: '160Mi' },
};

export function operatorDeployment(options: DeploymentOptions): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': options.name, 'app.kubernetes.io/component': 'operator' };
  const args = [
    ...(options.leaderElect ? ['--leader-elect'] : []),
    ...(options.watchNamespace ? [`--namespace=${options.watchNamespace}`] : []),
    ...(options.createCrd ? ['--create-crd'] : []),
    ...(options.updateCrd ? ['--update-crd'] : []),
    // Explicit, though a pod's defaults are the same: outside a pod the operator takes free loopback ports instead.
    `--metrics-bind-address=:${METRICS_PORT}`,
    `--health-probe-bind-address=:${PROBE_PORT}`,
    '--log-format=json',
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, namespace: options.namespace, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: options.name,
          // Running handlers get --shutdown-timeout (30 s) after SIGTERM; the kubelet must wait longer than that.
          terminationGracePeriodSeconds: 40,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'operator',
              image: options.image,
              args,
              ports: [
                { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
                { name: 'probes', containerPort: PROBE_PORT, protocol: 'TCP' },
              ],
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'probes' },
                initialDelaySeconds: 15,
                periodSeconds: 20,
              },
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'probes' },
                initialDelaySeconds: 5,
                periodSeconds: 10,
              },
              env: [{ name: 'NODE_OPTIONS', value: NODE_OPTIONS }],
              resources: RESOURCES,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}
