// The stale-schema guard: the samples' written CRDs match their types, and a type changed without regeneration fails.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { checkCrds, crdJson, generateCrds } from '@kubeop/cli';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('kubeop crd --check', () => {
  it.each(['test-object', 'config-bundle', 'static-site', 'versioned-widget'])(
    'the %s sample: dist/crds is what its types give (npm run build writes it)',
    async (sample) => {
      const dir = join(ROOT, 'samples', sample);
      await expect(
        checkCrds(generateCrds(join(dir, 'tsconfig.json')), join(dir, 'dist/crds')),
      ).resolves.toBeUndefined();
    },
  );

  it('fails naming the CRD and the first difference when a type changed without regeneration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeop-stale-'));
    cpSync(join(ROOT, 'packages/cli/test/fixtures/corpus/src'), join(dir, 'src'), { recursive: true });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      readFileSync(join(ROOT, 'packages/cli/test/fixtures/corpus/tsconfig.json'), 'utf8').replace(
        '../../../../../',
        join(ROOT, '/'),
      ),
    );
    const out = join(dir, 'crds');
    const crds = generateCrds(join(dir, 'tsconfig.json'));
    mkdirSync(out);
    for (const crd of crds) writeFileSync(join(out, crd.file), crdJson(crd));
    await expect(checkCrds(generateCrds(join(dir, 'tsconfig.json')), out)).resolves.toBeUndefined();

    const source = join(dir, 'src/corpus.handler.ts');
    writeFileSync(
      source,
      readFileSync(source, 'utf8').replace('/** @minimum 1 @maximum 10 */', '/** @minimum 1 @maximum 12 */'),
    );
    await expect(checkCrds(generateCrds(join(dir, 'tsconfig.json')), out)).rejects.toThrow(
      `CRD corpora.corpus.crd-gen.kubeop.dev is stale: ${join(out, 'corpora.corpus.crd-gen.kubeop.dev.json')} differs at ` +
        '.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.bounded.maximum: 10, 12 wanted; run kubeop crd --out',
    );
  });

  it('fails when a CRD file is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeop-stale-'));
    await expect(checkCrds(generateCrds(join(ROOT, 'samples/test-object/tsconfig.json')), dir)).rejects.toThrow(
      `CRD testobjects.example.kubeop.dev is stale: ${join(dir, 'testobjects.example.kubeop.dev.json')} is missing`,
    );
  });
});
