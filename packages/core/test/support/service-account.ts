// A kubeconfig for the shared control plane logged in as a new service account, with the rules given to it.
import { CoreV1Api, type KubeConfig, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { serviceAccountKubeconfig as kubeconfigFor } from '@kubeop/testing/operator';

/** Creates the account in `namespace`; with `rules`, a Role and RoleBinding granting them. Returns the kubeconfig path. */
export async function serviceAccountKubeconfig(
  admin: KubeConfig,
  namespace: string,
  name: string,
  rules?: V1PolicyRule[],
): Promise<string> {
  await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  if (rules) await grant(admin, namespace, name, rules);
  return kubeconfigFor(admin, namespace, name);
}

/** A Role named after the account, and its binding. */
export async function grant(
  admin: KubeConfig,
  namespace: string,
  account: string,
  rules: V1PolicyRule[],
): Promise<void> {
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
