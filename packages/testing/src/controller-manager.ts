// kube-controller-manager's command line and health probe: garbage collection, namespace deletion and Deployment
// status, nothing node-bound.
import { request } from './http.js';

/**
 * The controllers started. Garbage collection (owner references, foreground deletion), namespace deletion and the
 * Deployment controller's status (conditions, observed generation) are what an operator's tests observe; the rest
 * needs nodes, pods or clouds, or adds objects to every namespace that tests would then see in their lists (the
 * serviceaccount controller's `default` ServiceAccount, root-ca-cert-publisher's `kube-root-ca.crt` ConfigMap). The
 * ReplicaSet controller is left out: without nodes and service accounts its pods could only fail.
 */
export const CONTROLLERS = ['garbage-collector-controller', 'namespace-controller', 'deployment-controller'] as const;

export interface ControllerManagerConfig {
  /** Admin kubeconfig (client certificate): system:masters, so no RBAC setup and no per-controller credentials. */
  kubeconfigPath: string;
  /** Its secure port (it serves /healthz only there; 0 would turn serving off). */
  port: number;
  /** A certificate for 127.0.0.1, so the probe can verify it; otherwise it makes a self-signed one. */
  servingCert: string;
  servingKey: string;
  extraFlags?: string[];
}

export function controllerManagerArgs(config: ControllerManagerConfig): string[] {
  return [
    `--kubeconfig=${config.kubeconfigPath}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${config.port}`,
    `--tls-cert-file=${config.servingCert}`,
    `--tls-private-key-file=${config.servingKey}`,
    // One instance; a Lease would only delay its start by the lease acquisition.
    '--leader-elect=false',
    `--controllers=${CONTROLLERS.join(',')}`,
    // Every controller uses the admin client; service-account credentials need the token controller.
    '--use-service-account-credentials=false',
    // No --authentication-kubeconfig: it would look up a request-header CA this API server does not have, and log
    // that again and again. /healthz needs no authentication; /metrics is then refused.
    ...(config.extraFlags ?? []),
  ];
}

/** Healthy when /healthz answers 200 (always allowed without authentication); otherwise why not. */
export async function controllerManagerHealthz(
  url: string,
  caPem: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const res = await request(`${url}/healthz`, { tls: { ca: caPem }, timeoutMs });
  return res.status === 200 ? undefined : `GET /healthz answered ${res.status}: ${res.body.trim().slice(0, 300)}`;
}
