// The CRDs `kubeop manifests` emits: the ones `kubeop crd --out` generated, found where the operator finds them.
import { dirname, join, resolve } from 'node:path';
import {
  crdFileName,
  crdManifest,
  generatedCrdDifference,
  loadGeneratedCrd,
  PERMISSIVE_SCHEMA,
  type ResourceDescription,
} from '@kubeop/core/tooling';
import { CliError } from '../errors.js';

type Resource = ResourceDescription['resource'];

/**
 * The generated CRD in `dir` (default: `crds` beside the first module, as the runtime looks beside its entry
 * script), else the decorator's hand-written schema, else the permissive one with a warning on stderr; with
 * `updateCrd` a CliError instead, as an operator started with --update-crd refuses to loosen its CRD's schema.
 */
export function generatedCrds(
  modules: string[],
  dir?: string,
  updateCrd = false,
): (resource: Resource, versions?: ResourceDescription['versions']) => Record<string, unknown> {
  const folder = dir ?? join(dirname(resolve(modules[0] ?? '.')), 'crds');
  return (resource, versions = []) => {
    if (resource.schema) return crdManifest(resource, resource.schema, versions);
    const generated = loadGeneratedCrd(folder, resource);
    const stale = generated && generatedCrdDifference(generated, resource);
    if (stale)
      process.stderr.write(
        `warning: ${join(folder, crdFileName(resource))} does not match the @CustomResource of ${resource.kind} (${stale}); run kubeop crd --out ${folder}\n`,
      );
    if (generated) return generated;
    if (updateCrd)
      throw new CliError(
        `--update-crd: no generated CRD at ${join(folder, crdFileName(resource))}, and the operator would refuse to ` +
          `replace its CRD's schema with one that accepts anything; run kubeop crd --out ${folder} first (or give --crd-dir)`,
      );
    process.stderr.write(
      `warning: no generated CRD at ${join(folder, crdFileName(resource))}: emitting one whose spec and status accept anything; ` +
        `run kubeop crd --out ${folder} first (or give --crd-dir)\n`,
    );
    return crdManifest(resource, PERMISSIVE_SCHEMA, versions);
  };
}
