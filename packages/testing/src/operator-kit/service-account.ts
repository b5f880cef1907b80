// A kubeconfig that logs in as a ServiceAccount, to run an operator with exactly the rights its RBAC grants.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KitUsageError } from './kit-errors.js';

/**
 * Mints a token (TokenRequest, one hour) for the existing ServiceAccount `namespace/name` with the `admin`
 * configuration and writes a kubeconfig of the same cluster that uses it; returns the file's path.
 */
export async function serviceAccountKubeconfig(admin: KubeConfig, namespace: string, name: string): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  const token = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new KitUsageError('serviceAccountKubeconfig(): the admin kubeconfig has no current cluster');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: token.status!.token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  const path = join(tmpdir(), `kubeop-${name}-${namespace}-${process.pid}.kubeconfig`);
  writeFileSync(path, config.exportConfig(), { mode: 0o600 });
  return path;
}
