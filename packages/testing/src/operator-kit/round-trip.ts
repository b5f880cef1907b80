// The round-trip check: objects generated from each version's schema go through kubeop's conversion and back unchanged.
import type { CustomObject } from '@kubeop/core';
import { CONVERSION_DATA_ANNOTATION, Converter, describeHandlerClass } from '@kubeop/core/tooling';
import fc from 'fast-check';
import { arbitraryOf, prune, type Schema } from './schema-arbitrary.js';
import type { HandlerClass } from './types.js';
import { RoundTripError } from './kit-errors.js';

export interface RoundTripOptions {
  /** Objects generated per direction and version pair. Defaults to 200. */
  numRuns?: number;
  /** fast-check's seed, to replay a failure. Defaults to a random one (reported with the failure). */
  seed?: number;
}

/** The first object a round trip changed, after fast-check shrank it to a small one. */
export interface RoundTripFailure {
  /** e.g. `v2 → v1 → v2`. */
  path: string;
  /** The generated object (shrunk). */
  object: CustomObject;
  /** What came back, or undefined when a conversion failed. */
  result: CustomObject | undefined;
  /** The seed that replays it. */
  seed: number;
  /** What went wrong, with a line per differing field. */
  message: string;
}

interface CrdVersion {
  name: string;
  storage?: boolean;
  schema?: { openAPIV3Schema?: Schema };
}

/**
 * Checks every version pair of a handler class in both directions, through the conversion kubeop serves (the class's
 * `@ConvertFrom` / `@ConvertTo` and the stash): storage → other → storage gives back the object, other → storage →
 * other too, and no conversion writes a field the target version's schema would prune. Objects are generated from each
 * version's schema in `crd` (the CRD `kubeop crd` generated). Returns the first counterexample, shrunk, or undefined.
 */
export function checkRoundTrips(
  handlerClass: HandlerClass,
  crd: Record<string, unknown>,
  options: RoundTripOptions = {},
): RoundTripFailure | undefined {
  const description = describeHandlerClass(handlerClass);
  const converter = new Converter(description);
  const { group, version: storage, kind } = description.resource;
  const schemas = new Map(
    ((crd.spec as { versions?: CrdVersion[] } | undefined)?.versions ?? []).map((v) => [
      v.name,
      v.schema?.openAPIV3Schema ?? {},
    ]),
  );
  const schemaOf = (version: string): Schema => {
    const schema = schemas.get(version);
    if (!schema)
      throw new RoundTripError(
        `the CRD given to checkRoundTrips has no version ${version}, which ${handlerClass.name} declares: regenerate it (kubeop crd --out)`,
      );
    return schema;
  };
  for (const { name: other } of description.versions) {
    for (const [start, through] of [
      [storage, other],
      [other, storage],
    ] as const) {
      const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
      const objects = objectsOf(schemaOf(start), `${group}/${start}`, kind);
      const trip = (object: CustomObject) => roundTrip(converter, object, start, through, schemaOf);
      const details = fc.check(
        fc.property(objects, (object) => trip(object) === undefined),
        { numRuns: options.numRuns ?? 200, seed },
      );
      if (details.failed) {
        const object = details.counterexample?.[0] as CustomObject | undefined;
        const failure = object ? trip(object) : undefined;
        if (object && failure) return { ...failure, object, seed };
        throw new RoundTripError(
          `round trip ${start} → ${through} → ${start} failed: ${String(details.errorInstance)}`,
        );
      }
    }
  }
  return undefined;
}

/** Throws an Error with the counterexample and its differences when a round trip loses something. */
export function assertRoundTrips(
  handlerClass: HandlerClass,
  crd: Record<string, unknown>,
  options?: RoundTripOptions,
): void {
  const failure = checkRoundTrips(handlerClass, crd, options);
  if (failure)
    throw new RoundTripError(
      `${failure.message}\nthe object (seed ${failure.seed}):\n${JSON.stringify(failure.object, null, 2)}`,
    );
}

function objectsOf(schema: Schema, apiVersion: string, kind: string): fc.Arbitrary<CustomObject> {
  const body = arbitraryOf({ ...schema, type: 'object' }) as fc.Arbitrary<Record<string, unknown>>;
  return body.map((fields) => ({
    ...fields,
    apiVersion,
    kind,
    metadata: {
      name: 'generated',
      namespace: 'default',
      uid: '00000000-0000-4000-8000-000000000000',
      labels: { app: 'round-trip' },
    },
  }));
}

function roundTrip(
  converter: Converter,
  object: CustomObject,
  start: string,
  through: string,
  schemaOf: (version: string) => Schema,
): Omit<RoundTripFailure, 'object' | 'seed'> | undefined {
  const path = `${start} → ${through} → ${start}`;
  const step = (input: CustomObject, version: string): CustomObject | string => {
    let converted: CustomObject;
    try {
      converted = converter.convert(input, version) as CustomObject;
    } catch (error) {
      return `converting to ${version} failed: ${(error as Error).message}`;
    }
    const kept = prune(converted, schemaOf(version), true) as CustomObject;
    const dropped = differences(converted, kept);
    if (dropped.length)
      return `converting to ${version} wrote fields its schema does not have, which the API server drops:\n${dropped.join('\n')}`;
    return kept;
  };
  const there = step(object, through);
  if (typeof there === 'string') return { path, result: undefined, message: `round trip ${path}: ${there}` };
  const back = step(there, start);
  if (typeof back === 'string') return { path, result: undefined, message: `round trip ${path}: ${back}` };
  // The stash is kubeop's own bookkeeping on an object of another version: not a change the user sees as data.
  const changed = differences(withoutStash(object), withoutStash(back));
  if (changed.length === 0) return undefined;
  return {
    path,
    result: back,
    message: `round trip ${path} changed the object (expected → got):\n${changed.join('\n')}`,
  };
}

function withoutStash(object: CustomObject): CustomObject {
  const annotations = { ...object.metadata.annotations };
  delete annotations[CONVERSION_DATA_ANNOTATION];
  const { annotations: _, ...metadata } = object.metadata;
  return { ...object, metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata };
}

/** One line per field where `expected` and `actual` differ: `  spec.owner.first: "a" → absent`. */
export function differences(expected: unknown, actual: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(expected) && isObject(actual))
    return [...new Set([...Object.keys(expected), ...Object.keys(actual)])].flatMap((key) =>
      differences(expected[key], actual[key], path ? `${path}.${key}` : key),
    );
  if (canonical(expected) === canonical(actual)) return [];
  const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
  return [`  ${path || '(root)'}: ${show(expected)} → ${show(actual)}`];
}

/** JSON with sorted keys: key order is not a difference. */
function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
