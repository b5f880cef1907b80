// At start, a --namespace that names no namespace is refused: the operator would otherwise watch nothing, in silence.
import { KubeopError } from './errors.js';
import type { KubeClient } from './kube/client.js';
import { KubeApiError } from './kube/errors.js';
import type { Logger } from './logging.js';

/** The namespace a flag names does not exist. */
export class NamespaceNotFoundError extends KubeopError {
  override readonly name = 'NamespaceNotFoundError';
  readonly code = 'NAMESPACE_NOT_FOUND';
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
 * namespaces (a Role confined to one, as `kubeop manifests --namespace` writes) is asked by a dry-run create of an
 * Event there, which its Role allows and which the API server refuses with 404 in a namespace that does not exist;
 * an account that may do neither gets a warning.
 */
export async function checkNamespaceExists(
  client: KubeClient,
  namespace: string,
  flag: string,
  logger: Logger,
): Promise<void> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
  const answer = await existence(client.request('GET', path));
  const known = answer === 'forbidden' ? await existence(dryRunEvent(client, path, namespace)) : answer;
  if (known === 'missing') throw new NamespaceNotFoundError(flag, namespace);
  if (known === 'forbidden')
    logger.warn(
      `cannot check that the namespace ${namespace} of ${flag} exists: the account may neither get namespaces nor ` +
        'create Events there; if it does not exist, nothing will be handled',
    );
}

async function existence(request: Promise<unknown>): Promise<'exists' | 'missing' | 'forbidden'> {
  try {
    await request;
    return 'exists';
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    if (error.isForbidden) return 'forbidden';
    // The namespace's own 404 (a GET of it, or the admission of a create in it).
    if (error.isNotFound && error.details?.kind === 'namespaces') return 'missing';
    // An Event the server validated and refused still came past the namespace check.
    if (error.isInvalid) return 'exists';
    throw error;
  }
}

function dryRunEvent(client: KubeClient, namespacePath: string, namespace: string): Promise<unknown> {
  return client.request('POST', `${namespacePath}/events`, {
    query: { dryRun: 'All' },
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: 'kubeop-namespace-check-', namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: namespace },
      reason: 'NamespaceCheck',
      message: 'a dry run: is the namespace there?',
      type: 'Normal',
    },
  });
}
