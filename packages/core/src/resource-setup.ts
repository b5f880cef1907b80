// Before any controller starts: every handled resource served (its CRD checked, created or updated as the flags say)
// and the scope of every owned type known, so failures stop the start with a message naming the resource.
import { join } from 'node:path';
import type { RuntimeConfig } from './config.js';
import { KubeopError } from './errors.js';
import type { ResourceDescription } from './explorer.js';
import type { VersionDescription } from './explorer-versions.js';
import { StatusSubresourceMissingError } from './internal/run/status-errors.js';
import type { KubeClient } from './kube/client.js';
import {
  assertResourceServed,
  CrdNotInstalledError,
  crdManifest,
  ensureCrd,
  hasStatusSubresource,
  PERMISSIVE_SCHEMA,
} from './crd/crd.js';
import {
  crdFileName,
  defaultCrdDir,
  GeneratedCrdError,
  generatedCrdDifference,
  loadGeneratedCrd,
} from './crd/crd-files.js';
import type { ObjectClient } from './kube/object-client.js';
import { apiVersionOf, fullName, type ResourceRef } from './kube/resource.js';
import type { Logger } from './logging.js';

/** A `@Resource` the API server does not serve. */
export class ResourceNotServedError extends KubeopError {
  override readonly name = 'ResourceNotServedError';
  readonly code = 'RESOURCE_NOT_SERVED';
  constructor(
    /** `<plural>.<group>` */
    readonly resource: string,
    message: string,
  ) {
    super(message);
  }
}

type Resource = ResourceDescription['resource'];

export class ResourceSetup {
  constructor(
    private readonly client: KubeClient,
    private readonly config: RuntimeConfig,
    private readonly logger: Logger,
  ) {}

  /** `versions`: the other served versions, in the CRD --create-crd installs when there is no generated one. */
  async check(resource: Resource, versions: VersionDescription[] = []): Promise<void> {
    if (!resource.custom) return this.checkExisting(resource);
    const { client, config, logger } = this;
    if (config.createCrd || config.updateCrd) {
      const name = fullName(resource);
      const manifest = this.crdToInstall(resource, versions);
      const { outcome, difference } = await ensureCrd(client, resource, {
        manifest,
        update: config.updateCrd,
        fieldManager: config.name,
      });
      if (outcome === 'created' && config.dryRun)
        throw new ResourceNotServedError(
          name,
          `--dry-run: CustomResourceDefinition ${name} does not exist, and a dry run stores nothing (the API server ` +
            'accepted the one --create-crd would install, so it is valid). Install it first (kubeop crd | kubectl apply -f -), ' +
            'or start without --dry-run',
        );
      if (outcome === 'outdated') {
        logger.warn(
          `CustomResourceDefinition ${name} differs from the one this operator installs (${difference}); left as it is: ` +
            'kubeop crd | kubectl apply -f - updates it, or start the operator with --update-crd',
        );
      } else {
        const updated = config.dryRun ? 'would be updated (dry run, not stored)' : 'updated';
        const what = { created: 'created', updated: `${updated} (${difference})`, existing: 'already exists' }[outcome];
        logger.info(`CustomResourceDefinition ${name} ${what}`);
      }
    } else {
      await this.assertServed(resource);
    }
    if ((await hasStatusSubresource(client, resource)) === false)
      logger.error(new StatusSubresourceMissingError(fullName(resource)).message);
  }

  /** Not ours to create: it must be served already (a built-in kind, or a CRD installed by others). */
  private async checkExisting(resource: Resource): Promise<void> {
    try {
      await this.assertServed(resource);
    } catch (error) {
      if (!(error instanceof CrdNotInstalledError)) throw error;
      throw new ResourceNotServedError(
        fullName(resource),
        `The API server does not serve ${fullName(resource)} in ${apiVersionOf(resource)} (kind ${resource.kind}), which @Resource names. ` +
          'Check group, version and plural (kubectl api-resources lists what it serves), or install the CRD that defines it.',
      );
    }
  }

  /** Throws CrdNotInstalledError when not served; a permission denial only warns, as RBAC often comes just after. */
  private async assertServed(resource: Resource): Promise<void> {
    const denied = await assertResourceServed(this.client, resource, this.config.namespace);
    if (denied)
      this.logger.warn(
        `cannot check ${fullName(resource)} yet: ${denied.serverMessage ?? denied.message}; watching anyway, retrying until allowed`,
      );
  }

  /**
   * What --create-crd installs: the decorator's hand-written schema (checked by the explorer), else the CRD
   * `kubeop crd --out` generated beside the entry script, else a permissive schema with one warning saying so.
   * With --update-crd there is no such fallback: a missing generated CRD stops the start (GeneratedCrdError).
   */
  private crdToInstall(resource: Resource, versions: VersionDescription[]): Record<string, unknown> {
    if (resource.schema) return crdManifest(resource, resource.schema, versions);
    const dir = this.config.crdDir ?? defaultCrdDir();
    const generated = dir ? loadGeneratedCrd(dir, resource) : undefined;
    if (generated) {
      const stale = generatedCrdDifference(generated, resource);
      if (stale) {
        this.logger.warn(
          `${join(dir!, crdFileName(resource))} does not match the @CustomResource of ${resource.kind} (${stale}): it was generated before the ` +
            `decorator last changed, and is installed as it is; run kubeop crd --out ${dir} (npm run build)`,
        );
      }
      return generated;
    }
    const lookedFor = dir ? join(dir, crdFileName(resource)) : 'a crds folder, but there is no entry script';
    const generate =
      "Generate it from the handler's types with kubeop crd --out <folder of the compiled main.js>/crds " +
      '(e.g. "build": "tsc -b && kubeop crd --out dist/crds"), or give --crd-dir';
    // Updating to the permissive schema would silently drop the validation of a CRD installed from generated files.
    if (this.config.updateCrd)
      throw new GeneratedCrdError(
        lookedFor,
        'missing',
        `--update-crd: no generated CRD for ${fullName(resource)} (looked for ${lookedFor}), and updating to one whose ` +
          `spec and status accept anything would loosen the installed schema. ${generate}; or start without --update-crd`,
      );
    this.logger.warn(
      `no generated CRD for ${fullName(resource)} (looked for ${lookedFor}): installing one whose spec and status accept anything. ${generate}`,
    );
    return crdManifest(resource, PERMISSIVE_SCHEMA, versions);
  }
}

/** The scope of each `@Owns` type, from discovery: it decides the watch path and how owners are keyed. */
export function resolveOwnedTypes(
  descriptions: ResourceDescription[],
  objects: ObjectClient,
): Promise<Array<Array<ResourceRef & { metadataOnly: boolean }>>> {
  return Promise.all(
    descriptions.map(({ owns }) =>
      Promise.all(
        owns.map(async (type) => {
          const { namespaced } = await objects.resourceFor(apiVersionOf(type), type.kind);
          return { ...type, scope: namespaced ? ('Namespaced' as const) : ('Cluster' as const) };
        }),
      ),
    ),
  );
}
