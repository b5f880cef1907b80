// Makes sure the CustomResourceDefinition of a resource exists: checks it, or creates it and waits until Established.
import type { ResourceRecord } from '@kubeop/decorators';
import { KubeopError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { firstDifference } from './crd-diff.js';
import { KubeApiError, NotKubernetesError } from '../kube/errors.js';
import { collectionPath, fullName } from '../kube/resource.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** The CRD of a custom resource is not installed, and the operator may not create it (no --create-crd). */
export class CrdNotInstalledError extends KubeopError {
  override readonly name = 'CrdNotInstalledError';
  readonly code = 'CRD_NOT_INSTALLED';
  constructor(
    readonly crdName: string,
    version: string,
  ) {
    super(
      `The CustomResourceDefinition ${crdName} (version ${version}) is not installed in the cluster. ` +
        `Install it (kubeop crd | kubectl apply -f -, or the manifests of kubeop manifests) or start the operator with --create-crd.`,
    );
  }
}

/** A CRD kubeop created was not Established in time, or its names were refused (`namesRejected`). */
export class CrdNotEstablishedError extends KubeopError {
  override readonly name = 'CrdNotEstablishedError';
  readonly code = 'CRD_NOT_ESTABLISHED';
  constructor(
    readonly crdName: string,
    readonly namesRejected: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** What a resource without a generated or hand-written schema gets: spec and status accept anything. */
export const PERMISSIVE_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

/** Another served version in a CRD: what `kubeop crd` read from its converters' types. */
export interface ServedVersion {
  name: string;
  /** The schema of the whole object at this version. Defaults to the permissive one. */
  schema?: Record<string, unknown>;
  deprecated: boolean;
  deprecationWarning: string | undefined;
}

/**
 * The conversion webhook's client config in a generated CRD: a placeholder, since only the running operator knows
 * where it serves and with which CA; it replaces this (and adds the caBundle) at start.
 */
export const CONVERSION_WEBHOOK_PLACEHOLDER = { url: 'https://kubeop-conversion-webhook.invalid/convert' } as const;

/**
 * The CRD of a resource: names and scope from the decorator, the status subresource on, its printer columns, and
 * `schema` (by default the decorator's hand-written one, else the permissive one). `kubeop crd` passes the schema it
 * generated from the handler's types.
 */
export function crdManifest(
  resource: ResourceRecord,
  schema = resource.schema ?? PERMISSIVE_SCHEMA,
  versions: ServedVersion[] = [],
): Record<string, unknown> {
  const columns = resource.columns ?? [];
  const version = (name: string, storage: boolean, versionSchema: Record<string, unknown>) => ({
    name,
    served: true,
    storage,
    schema: { openAPIV3Schema: versionSchema },
    subresources: { status: {} },
    ...(columns.length ? { additionalPrinterColumns: columns } : {}),
  });
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
        version(resource.version, true, schema),
        ...versions.map((other) => ({
          ...version(other.name, false, other.schema ?? PERMISSIVE_SCHEMA),
          ...(other.deprecated ? { deprecated: true } : {}),
          ...(other.deprecationWarning ? { deprecationWarning: other.deprecationWarning } : {}),
        })),
      ],
      ...(versions.length
        ? {
            conversion: {
              strategy: 'Webhook',
              webhook: { conversionReviewVersions: ['v1'], clientConfig: { ...CONVERSION_WEBHOOK_PLACEHOLDER } },
            },
          }
        : {}),
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
  resource: ResourceRecord,
  namespace?: string,
): Promise<KubeApiError | undefined> {
  try {
    await client.request('GET', collectionPath(resource, namespace), { query: { limit: 1 } });
    return undefined;
  } catch (error) {
    await assertKubernetes(client, error);
    if (error instanceof KubeApiError && error.isNotFound)
      throw new CrdNotInstalledError(fullName(resource), resource.version);
    if (error instanceof KubeApiError && error.isForbidden) return error;
    throw error;
  }
}

export interface EnsureCrdOptions {
  /** The CRD to install. Defaults to crdManifest(resource). */
  manifest?: Record<string, unknown>;
  /** Server-side apply the manifest over an existing CRD that differs (`--update-crd`). Defaults to `false`. */
  update?: boolean;
  /** Field manager of that apply: the operator's name. Defaults to `kubeop`. */
  fieldManager?: string;
  timeoutMs?: number;
}

export interface EnsureCrdResult {
  /** `outdated`: an existing CRD whose schema or columns differ was left as it is. */
  outcome: 'created' | 'existing' | 'outdated' | 'updated';
  /** The first difference of an outdated or updated CRD, e.g. `.properties.spec.properties.replicas.minimum: absent, 1 wanted`. */
  difference?: string;
}

/**
 * Creates the CRD when it is missing. An existing one whose served version has another schema or other printer
 * columns is left as it is (`outdated`), or with `update` server-side applied (`updated`). Then waits until Established.
 */
export async function ensureCrd(
  client: KubeClient,
  resource: ResourceRecord,
  options: EnsureCrdOptions = {},
): Promise<EnsureCrdResult> {
  const name = fullName(resource);
  const manifest = options.manifest ?? crdManifest(resource);
  let result: EnsureCrdResult = { outcome: 'existing' };
  try {
    const existing = await client.request<Record<string, unknown>>('GET', `${CRD_PATH}/${name}`);
    const difference = versionDifference(existing, manifest, resource.version);
    if (difference && options.update) {
      await client.request('PATCH', `${CRD_PATH}/${name}`, {
        query: { fieldManager: options.fieldManager ?? 'kubeop', force: true },
        contentType: APPLY_PATCH,
        body: keepingClientConfig(existing, manifest),
      });
      result = { outcome: 'updated', difference };
    } else if (difference) {
      result = { outcome: 'outdated', difference };
    }
  } catch (error) {
    await assertKubernetes(client, error);
    if (!(error instanceof KubeApiError && error.isNotFound)) throw error;
    try {
      await client.request('POST', CRD_PATH, { body: manifest });
      result = { outcome: 'created' };
    } catch (createError) {
      // Another replica may have created it in the meantime.
      if (!(createError instanceof KubeApiError && createError.status === 409)) throw createError;
    }
  }
  // A dry run stored nothing: there is no CRD to wait for.
  if (result.outcome === 'created' && client.dryRun) return result;
  await waitEstablished(client, name, options.timeoutMs ?? 60_000);
  return result;
}

/** Server-side apply; JSON is YAML, so the body needs no YAML writer. */
const APPLY_PATCH = 'application/apply-patch+yaml';

interface CrdVersion {
  name: string;
  schema?: { openAPIV3Schema?: unknown };
  additionalPrinterColumns?: Array<Record<string, unknown>>;
}

/** How the resource's version in the existing CRD differs from the wanted one: schema first, then printer columns. */
function versionDifference(
  existing: Record<string, unknown>,
  wanted: Record<string, unknown>,
  version: string,
): string | undefined {
  const versions = (crd: Record<string, unknown>) => (crd.spec as { versions?: CrdVersion[] } | undefined)?.versions;
  const columns = (v: CrdVersion | undefined) =>
    (v?.additionalPrinterColumns ?? []).map(({ priority, ...rest }) => (priority ? { ...rest, priority } : rest));
  // The storage version first, then every other version the wanted CRD serves.
  const names = [version, ...(versions(wanted) ?? []).map((v) => v.name).filter((name) => name !== version)];
  for (const name of names) {
    const actual = versions(existing)?.find((v) => v.name === name);
    const desired = versions(wanted)?.find((v) => v.name === name);
    if (!actual) return `version ${name} is not served`;
    const at = name === version ? '' : ` of version ${name}`;
    const difference =
      prefixed(`schema${at}`, firstDifference(actual.schema?.openAPIV3Schema, desired?.schema?.openAPIV3Schema)) ??
      prefixed(`additionalPrinterColumns${at}`, firstDifference(columns(actual), columns(desired)));
    if (difference) return difference;
  }
  const dropped = (versions(existing) ?? []).find((v) => !names.includes(v.name));
  return dropped && `version ${dropped.name} is no longer declared`;
}

const prefixed = (prefix: string, difference: string | undefined) => difference && `${prefix} ${difference}`;

type ConversionClientConfig = { spec?: { conversion?: { webhook?: { clientConfig?: { url?: string } } } } };

/**
 * The manifest to apply over `existing`, without the placeholder conversion client config when the CRD has a real
 * one (set by the running operator, or by `kubeop manifests`): applying the placeholder would break conversion until
 * the operator patched it again, and next to a Service-based config the API server refuses it (url and service).
 */
function keepingClientConfig(
  existing: Record<string, unknown>,
  manifest: Record<string, unknown>,
): Record<string, unknown> {
  const clientConfig = (crd: Record<string, unknown>) =>
    (crd as ConversionClientConfig).spec?.conversion?.webhook?.clientConfig;
  const current = clientConfig(existing);
  if (!current || current.url === CONVERSION_WEBHOOK_PLACEHOLDER.url) return manifest;
  if (clientConfig(manifest)?.url !== CONVERSION_WEBHOOK_PLACEHOLDER.url) return manifest;
  const applied = structuredClone(manifest) as ConversionClientConfig;
  delete applied.spec!.conversion!.webhook!.clientConfig;
  return applied as Record<string, unknown>;
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
    if (rejected)
      throw new CrdNotEstablishedError(
        name,
        true,
        `CustomResourceDefinition ${name}: names not accepted: ${rejected.message}`,
      );
    last = conditions.map((c) => `${c.type}=${c.status}`).join(', ') || last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new CrdNotEstablishedError(
    name,
    false,
    `CustomResourceDefinition ${name} is not Established after ${timeoutMs} ms (${last})`,
  );
}

/**
 * Whether the served version of the resource's CRD has the status subresource; undefined when the CRD
 * cannot be read (an operator needs no permission on CRDs, so this is a best-effort early warning).
 */
export async function hasStatusSubresource(client: KubeClient, resource: ResourceRecord): Promise<boolean | undefined> {
  try {
    const crd = await client.request<{
      spec?: { versions?: Array<{ name: string; subresources?: { status?: unknown } }> };
    }>('GET', `${CRD_PATH}/${fullName(resource)}`);
    const version = crd.spec?.versions?.find((v) => v.name === resource.version);
    return version ? version.subresources?.status !== undefined : undefined;
  } catch {
    return undefined;
  }
}
