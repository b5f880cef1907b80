// At start, a --namespace that names no namespace is refused: the operator would otherwise watch nothing, in silence.
import type { KubeClient } from './kube/client.js';
import { KubeApiError } from './kube/errors.js';
import type { Logger } from './logging.js';

/** The namespace a flag names does not exist. */
export class NamespaceNotFoundError extends Error {
  override readonly name = 'NamespaceNotFoundError';
  constructor(
    readonly flag: string,
    readonly namespace: string,
  ) {
    super(
      `${flag} ${JSON.stringify(namespace)}: the namespace does not exist; create it (kubectl create namespace ${namespace}) ` +
        `or name an existing one (kubectl get namespaces)`,
    );
  }
}

/**
 * Reads the namespace: rejects with NamespaceNotFoundError when it does not exist. An account that may not read
 * namespaces (a Role confined to one, as `kubeop manifests --namespace` writes) gets a warning instead.
 */
export async function checkNamespaceExists(
  client: KubeClient,
  namespace: string,
  flag: string,
  logger: Logger,
): Promise<void> {
  try {
    await client.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}`);
  } catch (error) {
    if (error instanceof KubeApiError && error.isObjectNotFound) throw new NamespaceNotFoundError(flag, namespace);
    if (error instanceof KubeApiError && error.isForbidden) {
      logger.warn(
        `cannot check that the namespace ${namespace} of ${flag} exists: the account may not get namespaces; ` +
          'if it does not exist, nothing will be handled',
      );
      return;
    }
    throw error;
  }
}
