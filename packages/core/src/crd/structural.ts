// The structural-schema rules kube-apiserver enforces on a CRD, checked before a schema is sent so a refusal names the field.
import { KubeopError } from '../errors.js';

/** OpenAPI keys a CRD schema may use (apiextensions.k8s.io/v1 JSONSchemaProps); anything else is dropped or refused by the server. */
const ALLOWED_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'default',
  'example',
  'externalDocs',
  'nullable',
  'enum',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'multipleOf',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'items',
  'properties',
  'additionalProperties',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

export class StructuralSchemaError extends KubeopError {
  override readonly name = 'StructuralSchemaError';
  readonly code = 'SCHEMA_NOT_STRUCTURAL';
  constructor(
    readonly what: string,
    readonly problems: string[],
  ) {
    super(`${what}: the schema is not structural, kube-apiserver would refuse it:\n  ${problems.join('\n  ')}`);
  }
}

type Schema = Record<string, unknown>;
const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the API server would refuse in a CRD's openAPIV3Schema, one line per problem, each starting with the field
 * path (`.spec.replicas`). Empty when the schema is structural. A small subset of the server's own validation: the
 * rules a generated or hand-written schema most often breaks, not a replacement for it.
 */
export function structuralProblems(schema: unknown): string[] {
  const problems: string[] = [];
  if (!isSchema(schema)) return ['(root): a schema must be an object'];
  if (schema.type !== 'object') problems.push(`(root): type must be "object", not ${JSON.stringify(schema.type)}`);
  visit(schema, '', false, problems);
  return problems;
}

function visit(node: Schema, path: string, inJunctor: boolean, problems: string[]): void {
  const at = path || '(root)';
  const problem = (text: string) => problems.push(`${at}: ${text}`);
  for (const key of Object.keys(node)) {
    if (key === '$ref' || key === 'definitions' || key === '$defs')
      problem(`${key} is not allowed: inline the referenced schema`);
    else if (key === 'const') problem('const is not allowed: use enum with one value');
    else if (!ALLOWED_KEYS.has(key)) problem(`${key} is not a CRD schema keyword`);
  }
  const type = node.type;
  if (type !== undefined && (typeof type !== 'string' || !TYPES.has(type))) {
    problem(
      `type ${JSON.stringify(type)} must be one of ${[...TYPES].join(', ')} (no type arrays: use nullable, or x-kubernetes-int-or-string)`,
    );
  }
  const open = node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
  if (type === undefined && !open && !inJunctor)
    problem('every field needs a type (or x-kubernetes-int-or-string / x-kubernetes-preserve-unknown-fields)');
  for (const bound of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (node[bound] !== undefined && typeof node[bound] !== 'boolean')
      problem(`${bound} must be a boolean beside ${bound === 'exclusiveMinimum' ? 'minimum' : 'maximum'}`);
  }
  if (node.uniqueItems === true) problem('uniqueItems: true is not allowed: use x-kubernetes-list-type: set');
  if (node.additionalProperties === false)
    problem('additionalProperties: false is not allowed: unknown fields are pruned anyway');
  if (node.additionalProperties !== undefined && node.properties !== undefined)
    problem('additionalProperties and properties cannot be used together');
  if (Array.isArray(node.items)) problem('items must be one schema (tuples are not supported)');
  if (isSchema(node.properties)) {
    for (const [name, child] of Object.entries(node.properties))
      if (isSchema(child)) visit(child, `${path}.${name}`, inJunctor, problems);
  }
  if (isSchema(node.additionalProperties)) visit(node.additionalProperties, `${path}[*]`, inJunctor, problems);
  if (isSchema(node.items)) visit(node.items, `${path}[]`, inJunctor, problems);
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[junctor];
    if (Array.isArray(list))
      list.forEach((child, i) => isSchema(child) && visit(child, `${path}.${junctor}[${i}]`, true, problems));
  }
  if (isSchema(node.not)) visit(node.not, `${path}.not`, true, problems);
}
