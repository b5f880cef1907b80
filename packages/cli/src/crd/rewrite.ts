// Rewrites JSON Schema into a structural CRD schema: what the API server refuses is converted, or refused with its path.
import { UnsupportedTypeError } from './refuse.js';
import { plainDescription } from './tsdoc.js';

type Schema = Record<string, unknown>;
const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys of the library's output with no CRD meaning; dropped. */
const DROPPED = new Set([
  '$comment',
  'markdownDescription',
  'title',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'definitions',
  '$schema',
]);

/**
 * The CRD form of a JSON Schema node made by ts-json-schema-generator: `unknown` → x-kubernetes-preserve-unknown-fields,
 * `T | null` → nullable, `const` → enum, numeric exclusive bounds → boolean ones, TSDoc tags → x-kubernetes-* keys.
 * `path` names the field in errors, e.g. `.replicas`.
 */
export function toStructural(node: Schema, path = ''): Schema {
  const fail = (reason: string): never => {
    throw new UnsupportedTypeError(path, reason);
  };
  if (typeof node.$ref === 'string') fail(`refers to ${node.$ref}, which cannot be inlined (a recursive type?)`);
  if (isSchema(node.not) && Object.keys(node.not).length === 0)
    fail('its type (never, or undefined alone) has no JSON value; remove the field');
  // ts-json-schema-generator's mark of a type it could not resolve.
  if (node.description === 'Failed to correctly infer type' && node.type === undefined) {
    fail(
      'its type could not be read: a type parameter no subclass fills in, or a type from a module that does not resolve (npm install?)',
    );
  }
  let schema: Schema = { ...node };
  for (const key of DROPPED) delete schema[key];
  schema = unwrapNullable(schema, fail);
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf) || Array.isArray(schema.allOf)) {
    fail(
      `a union or intersection of different shapes (${JSON.stringify(schema.anyOf ?? schema.oneOf ?? schema.allOf).slice(0, 100)}) has no structural schema; use one type with optional fields`,
    );
  }
  const out: Schema = {};
  // Type first, so the YAML reads like a hand-written CRD.
  if (schema.type !== undefined) out.type = schema.type;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') continue;
    out[key] = value;
  }
  if ('const' in out) {
    out.enum = [out.const];
    delete out.const;
  }
  // `true | false` written out is boolean.
  if (out.type === 'boolean' && Array.isArray(out.enum) && out.enum.includes(true) && out.enum.includes(false))
    delete out.enum;
  // TSDoc tags.
  const tag = (name: string) => {
    const value = out[name];
    delete out[name];
    return value;
  };
  const integer = tag('integer');
  if (integer === true || (out.type === 'number' && (out.format === 'int32' || out.format === 'int64'))) {
    if (out.type !== 'number' && out.type !== 'integer') fail('@integer is for numbers');
    out.type = 'integer';
  }
  if (tag('intOrString') === true) {
    delete out.type;
    delete out.enum;
    out['x-kubernetes-int-or-string'] = true;
  }
  if (Array.isArray(out.type))
    fail(
      `a value of several types (${out.type.join(' | ')}) has no structural schema; for number | string mark it @intOrString`,
    );
  if (typeof out.description === 'string') out.description = plainDescription(out.description);
  const validation = tag('validation');
  if (validation !== undefined) out['x-kubernetes-validations'] = validations(validation, fail);
  if (out.nullable === true && Array.isArray(out.enum)) {
    // kube-apiserver checks enum even on null, and refuses it (null in the enum too): a CEL rule, which null skips, keeps `| null`.
    const values = out.enum;
    out['x-kubernetes-validations'] = [
      {
        rule: `self in [${values.map((v) => celLiteral(v, out.type)).join(', ')}]`,
        message: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}, or null`,
      },
      ...((out['x-kubernetes-validations'] as unknown[] | undefined) ?? []),
    ];
    delete out.enum;
  }
  const listType = tag('listType');
  if (listType !== undefined) out['x-kubernetes-list-type'] = listType;
  const listMapKeys = tag('listMapKeys');
  if (listMapKeys !== undefined)
    out['x-kubernetes-list-map-keys'] = [listMapKeys]
      .flat()
      .flatMap((k) => String(k).split(/[\s,]+/))
      .filter(Boolean);
  const mapType = tag('mapType');
  if (mapType !== undefined) out['x-kubernetes-map-type'] = mapType;
  if (tag('embeddedResource') === true)
    Object.assign(out, {
      type: 'object',
      'x-kubernetes-embedded-resource': true,
      'x-kubernetes-preserve-unknown-fields': true,
    });
  if (tag('preserveUnknownFields') === true) out['x-kubernetes-preserve-unknown-fields'] = true;
  for (const [bound, plain] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[bound] === 'number') {
      out[plain] = out[bound];
      out[bound] = true;
    }
  }
  if (out.uniqueItems === true) fail('uniqueItems is not allowed in a CRD; mark the array @listType set');
  delete out.uniqueItems;
  // Children.
  if (isSchema(out.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([name, child]) => [name, toStructural(child as Schema, `${path}.${name}`)]),
    );
  }
  if (Array.isArray(out.items)) fail('a tuple has no structural schema; use an object with named fields');
  if (isSchema(out.items)) out.items = toStructural(out.items, `${path}[]`);
  if (out.additionalProperties === false) delete out.additionalProperties;
  if (isSchema(out.additionalProperties)) {
    if (out.properties !== undefined) {
      if (Object.keys(out.additionalProperties).length)
        fail(
          'named fields beside an index signature have no structural schema; put the open map in a field of its own',
        );
      delete out.additionalProperties; // the library's `{}` of `additionalProperties: true`
    } else if (isUnknown(out.additionalProperties)) {
      delete out.additionalProperties; // Record<string, unknown>
      out['x-kubernetes-preserve-unknown-fields'] = true;
    } else {
      out.additionalProperties = toStructural(out.additionalProperties, `${path}[*]`);
    }
  }
  if (out.type === undefined && isUnknown(schema)) out['x-kubernetes-preserve-unknown-fields'] = true; // unknown, any
  if (
    out.type === undefined &&
    out['x-kubernetes-int-or-string'] !== true &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    fail(`no JSON type could be derived (${JSON.stringify(node).slice(0, 100)})`);
  }
  if (
    out.type === 'object' &&
    out.properties === undefined &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] === undefined
  ) {
    out['x-kubernetes-preserve-unknown-fields'] = true; // `object`, `{}`: no fields declared means any
  }
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
  return out;
}

/** `{}` (unknown, any): no type and no shape. Descriptions and defaults do not count. */
function isUnknown(schema: Schema): boolean {
  return Object.keys(schema).every((key) =>
    ['description', 'default', 'nullable', 'x-kubernetes-validations', 'validation'].includes(key),
  );
}

/** `T | null` arrives as a type array, an enum with null (often both), or anyOf with `{ type: 'null' }`: all become `nullable: true`. */
function unwrapNullable(schema: Schema, fail: (reason: string) => never): Schema {
  if (
    (Array.isArray(schema.type) && schema.type.includes('null')) ||
    (Array.isArray(schema.enum) && schema.enum.includes(null))
  ) {
    const out: Schema = { ...schema, nullable: true };
    if (Array.isArray(schema.type)) {
      const types = schema.type.filter((t) => t !== 'null');
      out.type = types.length === 1 ? types[0] : types;
    }
    if (Array.isArray(schema.enum)) out.enum = schema.enum.filter((v) => v !== null);
    return out;
  }
  for (const junctor of ['anyOf', 'oneOf'] as const) {
    const list = schema[junctor];
    if (!Array.isArray(list) || !list.some((s) => isSchema(s) && s.type === 'null')) continue;
    const rest = list.filter((s) => !(isSchema(s) && s.type === 'null')) as Schema[];
    const { [junctor]: _, ...outer } = schema;
    if (rest.length !== 1) fail(`a union of ${rest.length} shapes and null has no structural schema`);
    return { ...rest[0], ...outer, nullable: true };
  }
  return schema;
}

/** `@validation self.a <= self.b` or `@validation {rule: "...", message: "..."}`; the tag repeats for more rules. */
function validations(value: unknown, fail: (reason: string) => never): Array<Record<string, unknown>> {
  return [value].flat().map((one) => {
    if (typeof one === 'string') return { rule: one };
    if (isSchema(one) && typeof one.rule === 'string') return one;
    return fail(`@validation takes a CEL rule, or {rule: "...", message: "..."}; got ${JSON.stringify(one)}`);
  });
}

/** A value of an enum as a CEL literal of the field's type: a `number` field is a double in CEL, so 1 is written 1.0. */
function celLiteral(value: unknown, type: unknown): string {
  if (type === 'number' && typeof value === 'number' && Number.isInteger(value)) return value.toFixed(1);
  return JSON.stringify(value); // JSON's string escapes are valid in CEL's double-quoted strings
}
