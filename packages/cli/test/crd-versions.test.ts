// kubeop crd with several versions: each version's schema from its converters' types, deprecation, the conversion
// webhook, and a refusal when the two converters of a version disagree on its type.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { generateCrds } from '@kubeop/cli';
import { CONVERSION_WEBHOOK_PLACEHOLDER } from '@kubeop/core/tooling';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Version {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown>; required: string[] } } } };
}

/** A project of one handler file, in a folder of its own (imports need not resolve: kubeop crd reads the source). */
function project(handler: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeop-versions-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/widget.handler.ts'), handler);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { experimentalDecorators: true, strict: true, types: [], noEmit: true },
      include: ['src'],
    }),
  );
  return join(dir, 'tsconfig.json');
}

const handler = (fromType: string, toType: string) => `
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
interface SpecV2 { replicas: number }
interface SpecV1 { size: number }
interface OtherV1 { size: string }
type WidgetV1 = CustomObject<SpecV1>;
@CustomResource({ group: 'example.kubeop.dev', version: 'v2', plural: 'widgets', kind: 'Widget' })
export class WidgetHandler extends ResourceHandler<SpecV2> {
  @OnReconcile() reconcile(): void {}
  @ConvertFrom('v1') fromV1(old: ${fromType}): CustomObject<SpecV2> { return { ...old, spec: { replicas: 1 } }; }
  @ConvertTo('v1') toV1(obj: CustomObject<SpecV2>): ${toType} { return { ...obj, spec: undefined }; }
}
`;

describe('kubeop crd, several versions', () => {
  it("writes the sample's v1 from its converters' types: served, not stored, deprecated, converted by the webhook", () => {
    const [crd] = generateCrds(join(ROOT, 'samples/versioned-widget/tsconfig.json'));
    const spec = crd!.manifest.spec as { versions: Version[]; conversion: unknown };
    expect(spec.versions.map(({ name, served, storage }) => ({ name, served, storage }))).toEqual([
      { name: 'v2', served: true, storage: true },
      { name: 'v1', served: true, storage: false },
    ]);
    const [v2, v1] = spec.versions;
    expect(Object.keys(v2!.schema.openAPIV3Schema.properties.spec.properties)).toEqual(['owner', 'replicas', 'color']);
    expect(Object.keys(v1!.schema.openAPIV3Schema.properties.spec.properties)).toEqual(['owner', 'size']);
    expect(v1!.schema.openAPIV3Schema.properties.spec.required).toEqual(['owner', 'size']);
    expect(v1).toMatchObject({
      deprecated: true,
      deprecationWarning: 'samples.kubeop.dev/v1 Widget is deprecated; use samples.kubeop.dev/v2',
    });
    expect(v2!.deprecated).toBeUndefined();
    expect(spec.conversion).toEqual({
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: CONVERSION_WEBHOOK_PLACEHOLDER },
    });
  });

  it('reads a version through a type alias of CustomObject', () => {
    const [crd] = generateCrds(project(handler('WidgetV1', 'WidgetV1')));
    const versions = (crd!.manifest.spec as { versions: Version[] }).versions;
    expect(versions[1]!.schema.openAPIV3Schema.properties.spec.properties).toEqual({ size: { type: 'number' } });
  });

  it('refuses converters that disagree on the type of their version, naming both and the difference', () => {
    expect(() => generateCrds(project(handler('CustomObject<SpecV1>', 'CustomObject<OtherV1>')))).toThrow(
      /WidgetHandler \(.*\): the two converters of version v1 disagree on its type: WidgetHandler.fromV1 \(@ConvertFrom\('v1'\), .*\) takes CustomObject<SpecV1>, WidgetHandler.toV1 \(@ConvertTo\('v1'\), .*\) returns CustomObject<OtherV1>, and their schemas differ at .properties.spec.properties.size.type/,
    );
  });

  it('refuses a converter whose type is not CustomObject<Spec, Status>, and a version with one converter', () => {
    expect(() => generateCrds(project(handler('{ spec: SpecV1 }', 'WidgetV1')))).toThrow(
      /WidgetHandler.fromV1 \(@ConvertFrom\('v1'\), .*\): \{ spec: SpecV1 \} is not CustomObject<Spec, Status>/,
    );
    const half = handler('WidgetV1', 'WidgetV1').replace("@ConvertTo('v1') ", '');
    expect(() => generateCrds(project(half))).toThrow(/WidgetHandler declares version v1 .* has no @ConvertTo\('v1'\)/);
  });
});
