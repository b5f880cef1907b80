// A kubeconfig for the shared control plane logged in as a new service account, with the rules given to it.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';

/** Creates the account in `namespace`; with `rules`, a Role and RoleBinding granting them. Returns the kubeconfig path. */
export async function serviceAccountKubeconfig(admin: KubeConfig, namespace: string, name: string, rules?: V1PolicyRule[]): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const token = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  if (rules) await grant(admin, namespace, name, rules);
  const cluster = admin.getCurrentCluster()!;
  const restricted = new KubeConfig();
  restricted.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: token.status!.token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  const path = join(tmpdir(), `kubeop-${name}-${namespace}-${process.pid}.kubeconfig`);
  writeFileSync(path, restricted.exportConfig(), { mode: 0o600 });
  return path;
}

/** A Role named after the account, and its binding. */
export async function grant(admin: KubeConfig, namespace: string, account: string, rules: V1PolicyRule[]): Promise<void> {
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: account }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: account },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
    },
  });
}
