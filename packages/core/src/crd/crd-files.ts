// Finds the CRD `kubeop crd --out` generated for a resource: `<plural>.<group>.json` in the crds folder beside the entry script.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ResourceRecord } from '@kubeop/decorators';
import { KubeopError } from '../errors.js';
import { crdManifest } from './crd.js';
import { firstDifference } from './crd-diff.js';
import { fullName } from '../kube/resource.js';

/** A file in the crds folder cannot be used: not JSON, another CRD, or without the handled version (`problem`). */
export class GeneratedCrdError extends KubeopError {
  override readonly name = 'GeneratedCrdError';
  readonly code = 'GENERATED_CRD_INVALID';
  constructor(
    readonly file: string,
    readonly problem: 'missing' | 'not-json' | 'other-crd' | 'version-missing',
    message: string,
  ) {
    super(message);
  }
}

/** Where `kubeop crd --out dist/crds` leaves its files when the entry script is `dist/main.js`: beside it, in `crds/`. */
export function defaultCrdDir(entryScript = process.argv[1]): string | undefined {
  if (!entryScript) return undefined;
  let script = resolve(entryScript);
  try {
    script = realpathSync(script);
  } catch {
    // not a file (e.g. node -e): the folder beside the name is as good a guess as any
  }
  return join(dirname(script), 'crds');
}

/**
 * The file name `kubeop crd --out` writes for a resource, and the runtime reads. JSON (which kubectl applies as well):
 * client-node's loadYaml turns a CRD into its typed model, dropping every x-kubernetes-* key, and core needs no YAML parser.
 */
export function crdFileName(resource: Pick<ResourceRecord, 'plural' | 'group'>): string {
  return `${fullName(resource)}.json`;
}

/**
 * The generated CRD of the resource in `dir`, or undefined when there is no file for it. A file that is not a
 * CustomResourceDefinition of this resource, or does not serve its version, throws GeneratedCrdError.
 */
export function loadGeneratedCrd(dir: string, resource: ResourceRecord): Record<string, unknown> | undefined {
  const path = join(dir, crdFileName(resource));
  if (!existsSync(path)) return undefined;
  let crd: { kind?: unknown; metadata?: { name?: unknown }; spec?: { versions?: Array<{ name?: unknown }> } };
  try {
    crd = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new GeneratedCrdError(
      path,
      'not-json',
      `${path} is not readable JSON: ${(error as Error).message}; regenerate it with kubeop crd --out ${dir}`,
    );
  }
  const name = fullName(resource);
  if (crd?.kind !== 'CustomResourceDefinition' || crd.metadata?.name !== name) {
    throw new GeneratedCrdError(
      path,
      'other-crd',
      `${path} is not the CustomResourceDefinition ${name}; regenerate it with kubeop crd --out ${dir}`,
    );
  }
  if (!crd.spec?.versions?.some((v) => v.name === resource.version)) {
    throw new GeneratedCrdError(
      path,
      'version-missing',
      `${path} does not serve version ${resource.version} of ${name}; regenerate it with kubeop crd --out ${dir}`,
    );
  }
  return crd as Record<string, unknown>;
}

/**
 * How a generated CRD differs from the decorator, schemas aside (names, scope, printer columns): a file older than the
 * decorator, generated before its last change. Undefined when they agree. Schema staleness needs the types, so
 * `kubeop crd --check`; this much the runtime can see itself.
 */
export function generatedCrdDifference(
  generated: Record<string, unknown>,
  resource: ResourceRecord,
): string | undefined {
  // The storage version only: the other versions and the conversion come from the converters' types, which --check covers.
  const withoutSchemas = (crd: Record<string, unknown>) => {
    const { conversion: _, ...spec } = (crd.spec ?? {}) as {
      versions?: Array<Record<string, unknown>>;
      conversion?: unknown;
    };
    const versions = spec.versions
      ?.filter((version) => version.name === resource.version)
      .map(({ schema: _schema, ...version }) => version);
    return { ...crd, spec: { ...spec, versions } };
  };
  return firstDifference(withoutSchemas(generated), withoutSchemas(crdManifest(resource)));
}
