// kube-apiserver's command line and readiness probes.
import type { CertificateFiles } from './certs.js';
import { request } from './http.js';

export interface ApiServerConfig {
  etcdUrl: string;
  port: number;
  certDir: string;
  certs: CertificateFiles;
  extraFlags?: string[];
}

/**
 * kubeadm's default and the largest IPv4 range kube-apiserver takes (20 host bits): about a million ClusterIPs, where
 * envtest's /24 ran out at 254 Services, mid-benchmark.
 */
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';

/** Flags as envtest passes them: loopback only, client certificates, RBAC (admin is in system:masters). */
export function apiServerArgs(config: ApiServerConfig): string[] {
  const { certs } = config;
  return [
    `--etcd-servers=${config.etcdUrl}`,
    `--cert-dir=${config.certDir}`,
    `--tls-cert-file=${certs.servingCert}`,
    `--tls-private-key-file=${certs.servingKey}`,
    `--client-ca-file=${certs.clientCa}`,
    `--secure-port=${config.port}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // Since 1.37 the endpoint reconciler refuses a loopback advertise address; upstream's test server turns it off too.
    '--endpoint-reconciler-type=none',
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--allow-privileged=true',
    // No token controller runs, so pods would wait forever for a service-account token.
    '--disable-admission-plugins=ServiceAccount',
    '--authorization-mode=RBAC',
    `--service-account-issuer=https://127.0.0.1:${config.port}/`,
    `--service-account-key-file=${certs.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${certs.serviceAccountKey}`,
    ...(config.extraFlags ?? []),
  ];
}

export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

/** Ready when /readyz answers 200; otherwise the failing checks. */
export async function apiServerReadyz(server: string, tls: ClientTls, timeoutMs: number): Promise<string | undefined> {
  const res = await request(`${server}/readyz`, { tls, timeoutMs });
  if (res.status === 200) return undefined;
  const failing = res.body.split('\n').filter((line) => line.startsWith('[-]'));
  return `GET /readyz answered ${res.status}${failing.length ? `: ${failing.join('; ')}` : `: ${res.body.trim().slice(0, 300)}`}`;
}

/** The `default` namespace is created by a controller shortly after /readyz; tests expect it to exist. */
export async function defaultNamespaceExists(
  server: string,
  tls: ClientTls,
  timeoutMs: number,
): Promise<string | undefined> {
  const res = await request(`${server}/api/v1/namespaces/default`, { tls, timeoutMs });
  return res.status === 200 ? undefined : `GET /api/v1/namespaces/default answered ${res.status}`;
}
