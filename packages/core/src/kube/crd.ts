// Makes sure the CustomResourceDefinition of a resource exists: checks it, or creates it and waits until Established.
import type { CustomResourceRecord } from '@kubeop/decorators';
import type { KubeClient } from './client.js';
import { KubeApiError, NotKubernetesError } from './errors.js';
import { collectionPath, fullName } from './resource.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export class CrdNotInstalledError extends Error {
  override readonly name = 'CrdNotInstalledError';
  constructor(readonly crdName: string, version: string) {
    super(
      `The CustomResourceDefinition ${crdName} (version ${version}) is not installed in the cluster. ` +
        `Install it (kubeop crd | kubectl apply -f -, or the manifests of kubeop manifests) or start the operator with --create-crd.`,
    );
  }
}

export class CrdNotEstablishedError extends Error {
  override readonly name = 'CrdNotEstablishedError';
}

/** The manifest `--create-crd` applies: names and scope from the decorator, the status subresource on. */
export function crdManifest(resource: CustomResourceRecord): Record<string, unknown> {
  const permissive = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const schema = resource.schema ?? {
    type: 'object',
    properties: { spec: permissive, status: permissive },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: fullName(resource) },
    spec: {
      group: resource.group,
      scope: resource.scope,
      names: {
        plural: resource.plural,
        singular: resource.singular,
        kind: resource.kind,
        ...(resource.shortNames.length ? { shortNames: resource.shortNames } : {}),
        ...(resource.categories.length ? { categories: resource.categories } : {}),
      },
      versions: [
        {
          name: resource.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          subresources: { status: {} },
        },
      ],
    },
  };
}

/**
 * Fails with CrdNotInstalledError when the resource is not served; needs only `list` on the resource itself.
 * Returns the KubeApiError of a permission denial instead of throwing it: RBAC is often applied just after the
 * operator, so the watch keeps retrying rather than the process giving up.
 */
export async function assertResourceServed(
  client: KubeClient,
  resource: CustomResourceRecord,
  namespace?: string,
): Promise<KubeApiError | undefined> {
  try {
    await client.request('GET', collectionPath(resource, namespace), { query: { limit: 1 } });
    return undefined;
  } catch (error) {
    await assertKubernetes(client, error);
    if (error instanceof KubeApiError && error.isNotFound) throw new CrdNotInstalledError(fullName(resource), resource.version);
    if (error instanceof KubeApiError && error.isForbidden) return error;
    throw error;
  }
}

/** Creates the CRD when it is missing (an existing one is left as it is), then waits until it is Established. */
export async function ensureCrd(
  client: KubeClient,
  resource: CustomResourceRecord,
  options: { timeoutMs?: number } = {},
): Promise<'created' | 'existing'> {
  const name = fullName(resource);
  let outcome: 'created' | 'existing' = 'existing';
  try {
    await client.request('GET', `${CRD_PATH}/${name}`);
  } catch (error) {
    await assertKubernetes(client, error);
    if (!(error instanceof KubeApiError && error.isNotFound)) throw error;
    try {
      await client.request('POST', CRD_PATH, { body: crdManifest(resource) });
      outcome = 'created';
    } catch (createError) {
      // Another replica may have created it in the meantime.
      if (!(createError instanceof KubeApiError && createError.status === 409)) throw createError;
    }
  }
  await waitEstablished(client, name, options.timeoutMs ?? 60_000);
  return outcome;
}

/**
 * Any web server answers 404 to an unknown path, and kube-apiserver too, as plain text, for a group it does not
 * serve; its /version tells them apart. Throws NotKubernetesError when the server is evidently something else.
 */
async function assertKubernetes(client: KubeClient, error: unknown): Promise<void> {
  if (!(error instanceof KubeApiError && error.isNotFound && !error.isKubernetesStatus)) return;
  const answer = await client.request('GET', '/version').catch((probeError: unknown) => probeError);
  if (!looksLikeKubernetes(answer)) throw new NotKubernetesError(client.server, error);
}

function looksLikeKubernetes(versionAnswer: unknown): boolean {
  if (versionAnswer instanceof KubeApiError) return versionAnswer.isKubernetesStatus; // a 401 or 403 of kube-apiserver is a Status
  if (versionAnswer instanceof SyntaxError) return false; // answered, but not JSON
  if (versionAnswer instanceof Error) return true; // could not ask: claim nothing
  return typeof (versionAnswer as { gitVersion?: unknown } | undefined)?.gitVersion === 'string';
}

interface CrdStatus {
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
}

async function waitEstablished(client: KubeClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no conditions yet';
  while (Date.now() < deadline) {
    const crd = await client.request<CrdStatus>('GET', `${CRD_PATH}/${name}`);
    const conditions = crd.status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    const rejected = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
    if (rejected) throw new CrdNotEstablishedError(`CustomResourceDefinition ${name}: names not accepted: ${rejected.message}`);
    last = conditions.map((c) => `${c.type}=${c.status}`).join(', ') || last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new CrdNotEstablishedError(`CustomResourceDefinition ${name} is not Established after ${timeoutMs} ms (${last})`);
}

/**
 * Whether the served version of the resource's CRD has the status subresource; undefined when the CRD
 * cannot be read (an operator needs no permission on CRDs, so this is a best-effort early warning).
 */
export async function hasStatusSubresource(client: KubeClient, resource: CustomResourceRecord): Promise<boolean | undefined> {
  try {
    const crd = await client.request<{ spec?: { versions?: Array<{ name: string; subresources?: { status?: unknown } }> } }>(
      'GET',
      `${CRD_PATH}/${fullName(resource)}`,
    );
    const version = crd.spec?.versions?.find((v) => v.name === resource.version);
    return version ? version.subresources?.status !== undefined : undefined;
  } catch {
    return undefined;
  }
}
