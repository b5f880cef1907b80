// The kit's round-trip check: passes converters that lose nothing, catches a lossy one with a shrunk counterexample.
import { describe, expect, it } from '@jest/globals';
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { crdManifest, describeHandlerClass } from '@kubeop/core/tooling';
import { assertRoundTrips, checkRoundTrips } from '@kubeop/testing/operator';

interface SpecV2 {
  replicas: number;
  note?: string;
  color?: string;
}
interface SpecV1 {
  size: number;
  note?: string;
}

const schemaOf = (spec: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties: { spec: { type: 'object', properties: spec, required } },
});
const V2 = schemaOf(
  {
    replicas: { type: 'integer', minimum: 0 },
    note: { type: 'string' },
    color: { type: 'string', enum: ['red', 'blue'] },
  },
  ['replicas'],
);
const V1 = schemaOf({ size: { type: 'integer', minimum: 0 }, note: { type: 'string' } }, ['size']);

const resource = { group: 'example.kubeop.dev', version: 'v2', plural: 'widgets', kind: 'Widget' };

/** The CRD `kubeop crd` would write for the class, with the schemas above. */
function crdOf(handlerClass: Parameters<typeof describeHandlerClass>[0]): Record<string, unknown> {
  const description = describeHandlerClass(handlerClass);
  return crdManifest(
    description.resource,
    V2,
    description.versions.map((v) => ({ ...v, schema: V1 })),
  );
}

@CustomResource(resource)
class Lossless extends ResourceHandler<SpecV2> {
  @OnReconcile() reconcile(): void {}
  @ConvertFrom('v1') fromV1(old: CustomObject<SpecV1>): CustomObject<SpecV2> {
    if (!old.spec) return { ...old, spec: undefined };
    const { size, ...rest } = old.spec;
    return { ...old, spec: { ...rest, replicas: size } };
  }
  @ConvertTo('v1') toV1(obj: CustomObject<SpecV2>): CustomObject<SpecV1> {
    if (!obj.spec) return { ...obj, spec: undefined };
    const { replicas, color: _, ...rest } = obj.spec;
    return { ...obj, spec: { ...rest, size: replicas } };
  }
}

describe('checkRoundTrips', () => {
  it('passes converters that lose nothing (the field v1 lacks kept by the stash)', () => {
    expect(checkRoundTrips(Lossless, crdOf(Lossless), { numRuns: 300 })).toBeUndefined();
  });

  it('catches a converter that drops a field, with the smallest object and a readable diff', () => {
    @CustomResource(resource)
    class DropsNote extends Lossless {
      @ConvertFrom('v1') override fromV1(old: CustomObject<SpecV1>): CustomObject<SpecV2> {
        return { ...old, spec: old.spec && { replicas: old.spec.size } }; // forgets note
      }
    }
    const failure = checkRoundTrips(DropsNote, crdOf(DropsNote));
    expect(failure).toMatchObject({ path: 'v1 → v2 → v1' });
    expect(failure!.object.spec).toEqual({ size: 0, note: '' }); // shrunk
    expect(failure!.message).toBe(
      'round trip v1 → v2 → v1 changed the object (expected → got):\n  spec.note: "" → absent',
    );
    expect(() => assertRoundTrips(DropsNote, crdOf(DropsNote), { seed: failure!.seed })).toThrow(/spec\.note/);
  });

  it('catches a converter that writes a field the target schema does not have', () => {
    @CustomResource(resource)
    class WritesUnknown extends Lossless {
      @ConvertTo('v1') override toV1(obj: CustomObject<SpecV2>): CustomObject<SpecV1> {
        if (!obj.spec) return { ...obj, spec: undefined };
        const { replicas, ...rest } = obj.spec;
        return { ...obj, spec: { ...rest, size: replicas } }; // color leaks into v1
      }
    }
    const failure = checkRoundTrips(WritesUnknown, crdOf(WritesUnknown));
    expect(failure?.path).toBe('v2 → v1 → v2');
    expect(failure?.message).toMatch(
      /converting to v1 wrote fields its schema does not have.*\n {2}spec\.color: "(red|blue)" → absent/,
    );
  });

  it('reports a converter that throws', () => {
    @CustomResource(resource)
    class Throws extends Lossless {
      @ConvertTo('v1') override toV1(obj: CustomObject<SpecV2>): CustomObject<SpecV1> {
        if ((obj.spec?.replicas ?? 0) > 10) throw new Error('too many');
        return super.toV1(obj);
      }
    }
    expect(checkRoundTrips(Throws, crdOf(Throws))?.message).toBe(
      "round trip v2 → v1 → v2: converting to v1 failed: Throws.toV1 (@ConvertTo('v1')) failed on Widget default/generated: too many",
    );
  });
});
