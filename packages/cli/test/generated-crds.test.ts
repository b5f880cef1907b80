// kubeop manifests takes the CRDs kubeop crd generated, warning when one predates the decorator or is missing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ResourceHandler } from '@kubeop/core';
import { crdManifest, describeHandlerClass } from '@kubeop/core/tooling';
import { CustomResource, OnReconcile } from '@kubeop/decorators';
import { CliError } from '../src/errors.js';
import { generatedCrds } from '../src/manifests/generated-crds.js';

@CustomResource({
  group: 'x.kubeop.dev',
  version: 'v1',
  plural: 'things',
  kind: 'Thing',
  columns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
})
class ThingHandler extends ResourceHandler {
  @OnReconcile() async reconcile(): Promise<void> {}
}
const resource = describeHandlerClass(ThingHandler).resource;
const SCHEMA = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } };

function written(manifest: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeop-crds-'));
  writeFileSync(join(dir, 'things.x.kubeop.dev.json'), JSON.stringify(manifest));
  return dir;
}

const stderr = () => jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
afterEach(() => {
  jest.restoreAllMocks();
});

describe('the CRDs of kubeop manifests', () => {
  it('are the generated ones, schema included, without a warning when they match the decorator', () => {
    const write = stderr();
    const dir = written(crdManifest(resource, SCHEMA));
    expect(generatedCrds([], dir)(resource)).toEqual(crdManifest(resource, SCHEMA));
    expect(write).not.toHaveBeenCalled();
  });

  it('are emitted with a warning naming the file and the first difference when the decorator changed since', () => {
    const write = stderr();
    const dir = written(crdManifest({ ...resource, shortNames: ['th'] }, SCHEMA));
    expect(generatedCrds([], dir)(resource)).toEqual(crdManifest({ ...resource, shortNames: ['th'] }, SCHEMA));
    expect(write).toHaveBeenCalledWith(
      `warning: ${join(dir, 'things.x.kubeop.dev.json')} does not match the @CustomResource of Thing (.spec.names.shortNames: ["th"], absent wanted); run kubeop crd --out ${dir}\n`,
    );
  });

  it('fall back to the permissive schema with a warning when none was generated', () => {
    const write = stderr();
    const dir = mkdtempSync(join(tmpdir(), 'kubeop-crds-'));
    expect(generatedCrds([], dir)(resource)).toEqual(crdManifest(resource));
    expect(write).toHaveBeenCalledWith(
      expect.stringContaining(`no generated CRD at ${join(dir, 'things.x.kubeop.dev.json')}`),
    );
  });

  it('are required with --update-crd, naming the file and kubeop crd --out, as the operator would refuse to start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeop-crds-'));
    expect(() => generatedCrds([], dir, true)(resource)).toThrow(CliError);
    expect(() => generatedCrds([], dir, true)(resource)).toThrow(
      `--update-crd: no generated CRD at ${join(dir, 'things.x.kubeop.dev.json')}`,
    );
    expect(() => generatedCrds([], dir, true)(resource)).toThrow(`run kubeop crd --out ${dir}`);
  });
});
