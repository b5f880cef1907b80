// The unit corpus of kubeop crd: each type shape of fixtures/corpus and the schema it must give, and the shapes refused.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { generateCrds } from '@kubeop/cli';

const CORPUS = fileURLToPath(new URL('./fixtures/corpus/tsconfig.json', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Field of CorpusSpec → the schema kubeop crd must generate for it. */
const EXPECTED: Record<string, unknown> = {
  text: { type: 'string' },
  amount: { type: 'number' },
  flag: { type: 'boolean' },
  optionalText: { type: 'string' },
  count: { type: 'integer' },
  countAsType: { type: 'integer' },
  small: { type: 'integer', format: 'int32' },
  big: { type: 'integer', format: 'int64' },
  mode: { type: 'string', enum: ['fast', 'slow'] },
  fixed: { type: 'string', enum: ['only'] },
  level: { type: 'number', enum: [1, 2, 3] },
  tags: { type: 'array', items: { type: 'string' } },
  items: {
    type: 'array',
    items: {
      type: 'object',
      properties: { name: { type: 'string', description: 'Name of the inner thing.' }, weight: { type: 'integer' } },
      required: ['name'],
      description: 'A nested interface, inlined.',
    },
  },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  byName: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { name: { type: 'string', description: 'Name of the inner thing.' }, weight: { type: 'integer' } },
      required: ['name'],
      description: 'A nested interface, inlined.',
    },
  },
  free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  anything: { 'x-kubernetes-preserve-unknown-fields': true },
  when: { type: 'string', format: 'date-time' },
  maybe: { type: 'string', nullable: true },
  maybeInner: {
    type: 'object',
    properties: { name: { type: 'string', description: 'Name of the inner thing.' }, weight: { type: 'integer' } },
    required: ['name'],
    description: 'A nested interface, inlined.',
    nullable: true,
  },
  inner: {
    type: 'object',
    properties: { name: { type: 'string', description: 'Name of the inner thing.' }, weight: { type: 'integer' } },
    required: ['name'],
    description: "The inner field's own description.",
  },
  port: { type: 'number', description: 'An alias, inlined.' },
  bounded: { type: 'number', minimum: 1, maximum: 10 },
  fraction: { type: 'number', exclusiveMinimum: true, exclusiveMaximum: true, minimum: 0, maximum: 1 },
  shortText: { type: 'string', minLength: 2, maxLength: 8 },
  lowerCase: { type: 'string', pattern: '^[a-z]+$' },
  id: { type: 'string', format: 'uuid' },
  few: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
  withDefault: { type: 'number', default: 3 },
  textDefault: { type: 'string', default: 'none' },
  intOrString: { 'x-kubernetes-int-or-string': true },
  nonEmpty: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() > 0' }] },
  nonNegative: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self >= 0', message: 'must not be negative' }] },
  uniqueTags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
  keyed: {
    type: 'array',
    items: {
      type: 'object',
      properties: { name: { type: 'string', description: 'Name of the inner thing.' }, weight: { type: 'integer' } },
      required: ['name'],
      description: 'A nested interface, inlined.',
    },
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  },
  atomic: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'atomic' },
  color: { type: 'string', enum: ['red', 'green'] },
  scores: { type: 'object', additionalProperties: { type: 'number' } },
  partial: {
    type: 'object',
    properties: { name: { type: 'string', description: 'Name of the inner thing.' }, weight: { type: 'integer' } },
  },
  picked: {
    type: 'object',
    properties: { name: { type: 'string', description: 'Name of the inner thing.' } },
    required: ['name'],
  },
  both: {
    type: 'object',
    properties: {
      extra: { type: 'boolean' },
      name: { type: 'string', description: 'Name of the inner thing.' },
      weight: { type: 'integer' },
    },
    required: ['extra', 'name'],
  },
  frozen: { type: 'array', items: { type: 'string' } },
  multiline: { type: 'string', description: 'A description over two lines.' },
  opaque: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  // kube-apiserver refuses null in an enum field even when nullable: the values become a CEL rule, which null skips.
  nullableMode: {
    type: 'string',
    nullable: true,
    'x-kubernetes-validations': [{ rule: 'self in ["on", "off"]', message: 'must be one of "on", "off", or null' }],
  },
  priority: { type: 'number', enum: [1, 2] },
  always: { type: 'boolean', enum: [true] },
  fixedKeys: {
    type: 'object',
    properties: { min: { type: 'number' }, max: { type: 'number' } },
    required: ['min', 'max'],
  },
  omitted: {
    type: 'object',
    properties: { name: { type: 'string', description: 'Name of the inner thing.' } },
    required: ['name'],
  },
  generic: {
    type: 'object',
    properties: { value: { type: 'string' } },
    required: ['value'],
    description: 'A generic interface, instantiated.',
  },
  derived: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'Name of the inner thing.' },
      weight: { type: 'integer' },
      rank: { type: 'number', description: 'Its own field.' },
    },
    required: ['name', 'rank'],
    description: 'An interface that extends another.',
  },
  maybeTags: { type: 'array', items: { type: 'string' }, nullable: true },
  sparse: { type: 'array', items: { type: 'string', nullable: true } },
  emptyByDefault: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
  listDefault: { type: 'array', items: { type: 'string' }, default: ['a'] },
  version: { type: 'string' },
  whatever: { 'x-kubernetes-preserve-unknown-fields': true },
  maybeWhen: { type: 'string', format: 'date-time', nullable: true },
  someLabels: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1, maxProperties: 2 },
  object: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
  twoRules: {
    type: 'string',
    'x-kubernetes-validations': [
      { rule: 'self.size() > 1' },
      { rule: 'self.size() < 5', message: 'at most 4 characters' },
    ],
  },
  maybeFlag: { type: 'boolean', nullable: true },
  byIndex: { type: 'object', additionalProperties: { type: 'string' } },
  step: { type: 'integer', multipleOf: 5 },
  linked: { type: 'string', description: 'See Inner and the docs (https://kubernetes.io).' },
  loose: {
    type: 'object',
    properties: { known: { type: 'string' } },
    required: ['known'],
    'x-kubernetes-preserve-unknown-fields': true,
  },
  day: { type: 'string', format: 'date' },
  readOnly: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  explicitUndefined: { type: 'string' },
  eitherBoolean: { type: 'boolean' },
  modes: { type: 'array', items: { type: 'string', enum: ['read', 'write'] } },
};

type Schema = { properties: Record<string, unknown>; required: string[] };
const specSchema = (crd: { manifest: Record<string, unknown> }) =>
  (crd.manifest as { spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: Schema } } } }> } })
    .spec.versions[0]!.schema.openAPIV3Schema.properties.spec;

describe('kubeop crd: type shapes → schema', () => {
  const [crd] = generateCrds(CORPUS);
  const spec = specSchema(crd!);

  it('covers every field of the corpus, in source order', () => {
    expect(Object.keys(spec.properties)).toEqual(Object.keys(EXPECTED));
    expect(Object.keys(EXPECTED).length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.keys(EXPECTED))('%s', (field) => {
    expect(spec.properties[field]).toEqual(EXPECTED[field]);
  });

  it('requires exactly the fields without ?', () => {
    const optional = [
      'optionalText',
      'withDefault',
      'textDefault',
      'emptyByDefault',
      'listDefault',
      'explicitUndefined',
    ];
    expect(spec.required).toEqual(Object.keys(EXPECTED).filter((f) => !optional.includes(f)));
    const root = (
      crd!.manifest as { spec: { versions: Array<{ schema: { openAPIV3Schema: { required?: string[] } } }> } }
    ).spec.versions[0]!.schema.openAPIV3Schema;
    expect(root.required).toEqual(['spec']);
  });

  it('names the CRD from the decorator, with the default printer columns and the class TSDoc as description', () => {
    expect(crd!.name).toBe('corpora.corpus.crd-gen.kubeop.dev');
    expect(crd!.file).toBe('corpora.corpus.crd-gen.kubeop.dev.json');
    const version = (crd!.manifest as { spec: { versions: Array<Record<string, unknown>> } }).spec.versions[0]!;
    expect(version.additionalPrinterColumns).toEqual([
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    expect((version.schema as { openAPIV3Schema: { description?: string } }).openAPIV3Schema.description).toBe(
      'A corpus of shapes: every field one mapping.',
    );
  });
});

/** A one-file project declaring its own CustomResource and ResourceHandler: the finder goes by name, as with imports. */
function project(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeop-crd-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules')); // so imports of client-node resolve
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, experimentalDecorators: true, types: [], lib: ['es2023'] },
      include: ['*.ts'],
    }),
  );
  writeFileSync(
    join(dir, 'handler.ts'),
    `declare function CustomResource(options: object): ClassDecorator;
declare class ResourceHandler<Spec = unknown, Status = unknown> { spec?: Spec; status?: Status }
${source}`,
  );
  return join(dir, 'tsconfig.json');
}

const handler = (spec: string, options = "{ group: 'x.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' }") =>
  `${spec}\n@CustomResource(${options})\nexport class ThingHandler extends ResourceHandler<Spec, { state: string }> {}`;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('kubeop crd: shapes refused, naming the class, the type, the property and where it is declared', () => {
  it.each([
    [
      'a recursive type',
      'interface Node {\n children: Node[] }\ninterface Spec { tree: Node }',
      'ThingHandler spec (Spec).tree.children[]',
      4,
      'recursive type (Node contains itself)',
    ],
    [
      'a function',
      'interface Spec { callback: (x: number) => void }',
      'ThingHandler spec (Spec).callback',
      3,
      'function type ((x: number) => void)',
    ],
    [
      'a class instance',
      'class Point { x = 0 } interface Spec { at: Point }',
      'ThingHandler spec (Spec).at',
      3,
      'instance of the class Point',
    ],
    [
      'a Map',
      'interface Spec { byName: Map<string, string> }',
      'ThingHandler spec (Spec).byName',
      3,
      'instance of Map',
    ],
    [
      'a union of objects',
      'interface Spec { source: { url: string } | { path: string } }',
      'ThingHandler spec (Spec).source',
      3,
      'union of object shapes',
    ],
    [
      'a union of types without @intOrString',
      'interface Spec { size: number | string }',
      'ThingHandler spec (Spec).size',
      3,
      'a value of several types (number | string)',
    ],
    [
      'a tuple',
      'interface Spec { pair: [string, number] }',
      'ThingHandler spec (Spec).pair',
      3,
      'a tuple has no structural schema',
    ],
    ['a bigint', 'interface Spec { huge: bigint }', 'ThingHandler spec (Spec).huge', 3, 'bigint has no JSON form'],
    [
      'named fields beside an index signature',
      'interface Spec { open: { fixed: string; [key: string]: string } }',
      'ThingHandler spec (Spec).open',
      3,
      'named fields beside an index signature',
    ],
    [
      'a field that can hold nothing',
      'interface Spec { gone: undefined }',
      'ThingHandler spec (Spec).gone',
      3,
      'its type (never, or undefined alone) has no JSON value',
    ],
    [
      'a model class of client-node',
      "import type { V1Container } from '@kubernetes/client-node';\ninterface Spec { container: V1Container }",
      'ThingHandler spec (Spec).container',
      4,
      'V1Container is a class of @kubernetes/client-node',
    ],
    [
      'a field deep in a map of arrays',
      'interface Spec { byName: Record<string, Array<{\n run: () => void }>> }',
      'ThingHandler spec (Spec).byName[*][].run',
      4,
      'function type',
    ],
    [
      'a type from a module not installed',
      "import type { Missing } from 'not-installed';\ninterface Spec { gone: Missing }",
      'ThingHandler spec (Spec).gone',
      4,
      'its type could not be resolved',
    ],
    [
      'a type parameter no subclass fills in',
      'interface Box<T> { inner: T }\ninterface Spec { box: Box<unknown> }\nabstract class Base<S> extends ResourceHandler<Box<S>> {}\n@CustomResource({ group: "y.kubeop.dev", version: "v1", plural: "others", kind: "Other" }) export class OtherHandler extends Base<Spec> {}',
      'OtherHandler spec (Box<S>).inner',
      3,
      'its type could not be read: a type parameter',
    ],
  ])('%s', (_, spec, field, line, reason) => {
    // The field's file:line, then the class's: handler.ts has two lines of declarations before the spec.
    const className = field.split(' ')[0]!;
    expect(() => generateCrds(project(handler(spec)))).toThrow(
      new RegExp(
        `^${escape(field)} \\(.*handler\\.ts:${line}\\): ${escape(reason)}.*\\(${className} at .*handler\\.ts:\\d+\\)$`,
      ),
    );
  });

  it('options that need running the code', () => {
    expect(() =>
      generateCrds(
        project(
          handler('interface Spec {}', "{ group: process.env.GROUP!, version: 'v1', plural: 'things', kind: 'Thing' }"),
        ),
      ),
    ).toThrow(/@CustomResource on ThingHandler \(.*handler\.ts:\d+\): cannot read process without running the code/);
  });

  it('options the runtime would refuse, with the runtime message', () => {
    expect(() =>
      generateCrds(
        project(handler('interface Spec {}', "{ group: 'nodots', version: 'v1', plural: 'things', kind: 'Thing' }")),
      ),
    ).toThrow('@CustomResource on ThingHandler: group "nodots" is invalid');
  });
});

describe('kubeop crd: reading the decorator options', () => {
  it('follows consts, spreads, as const and columns', () => {
    const source = `const GROUP = 'x.kubeop.dev';
const BASE = { group: GROUP, version: 'v1' } as const;
const COLUMNS = [{ name: 'Size', type: 'integer', jsonPath: '.spec.size', priority: 1 }];
interface Spec { size: number }
@CustomResource({ ...BASE, plural: 'things', kind: 'Thing', shortNames: ['th'], scope: 'Cluster', columns: COLUMNS })
export class ThingHandler extends ResourceHandler<Spec> {}`;
    const [crd] = generateCrds(project(source));
    const manifest = crd!.manifest as { spec: Record<string, unknown> & { versions: Array<Record<string, unknown>> } };
    expect(crd!.name).toBe('things.x.kubeop.dev');
    expect(manifest.spec.scope).toBe('Cluster');
    expect(manifest.spec.names).toEqual({ plural: 'things', singular: 'thing', kind: 'Thing', shortNames: ['th'] });
    expect(manifest.spec.versions[0]!.additionalPrinterColumns).toEqual([
      { name: 'Size', type: 'integer', jsonPath: '.spec.size', priority: 1 },
    ]);
    // No Status type argument: ResourceHandler's default, anything.
    expect(
      (manifest.spec.versions[0]!.schema as { openAPIV3Schema: { properties: { status: unknown } } }).openAPIV3Schema
        .properties.status,
    ).toEqual({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('uses a hand-written schema as it is, after the structural check', () => {
    const good =
      "{ group: 'x.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing', schema: { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } } }";
    const [crd] = generateCrds(project(handler('interface Spec { b: number }', good)));
    expect(JSON.stringify(crd!.manifest)).toContain('"a":{"type":"string"}');
    const bad =
      "{ group: 'x.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing', schema: { type: 'object', properties: { spec: { type: ['string', 'null'] } } } }";
    expect(() => generateCrds(project(handler('interface Spec {}', bad)))).toThrow(
      '.spec: type ["string","null"] must be one of',
    );
  });

  it('follows a type parameter through a generic intermediate class to the type the subclass gives', () => {
    const source = `interface Spec { size: number }
abstract class Base<S, T = { phase: 'on' | 'off' }> extends ResourceHandler<S, T> {}
@CustomResource({ group: 'x.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
export class ThingHandler extends Base<Spec> {}`;
    const [crd] = generateCrds(project(source));
    const schema = (
      crd!.manifest as {
        spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }> };
      }
    ).spec.versions[0]!.schema.openAPIV3Schema;
    expect(schema.properties).toEqual({
      spec: { type: 'object', properties: { size: { type: 'number' } }, required: ['size'] },
      status: { type: 'object', properties: { phase: { type: 'string', enum: ['on', 'off'] } }, required: ['phase'] },
    });
  });

  it('requires spec when Spec has a required field, and status never (the operator writes it after creation)', () => {
    const rootOf = (spec: string, status: string) => {
      const source = `${spec}\ninterface Status { ${status} }\n@CustomResource({ group: 'x.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })\nexport class ThingHandler extends ResourceHandler<Spec, Status> {}`;
      const [crd] = generateCrds(project(source));
      return (crd!.manifest as { spec: { versions: Array<{ schema: { openAPIV3Schema: { required?: string[] } } }> } })
        .spec.versions[0]!.schema.openAPIV3Schema;
    };
    expect(rootOf('interface Spec { size: number; label?: string }', 'phase: string').required).toEqual(['spec']);
    // Nothing in Spec is required: an object without spec is a valid empty one.
    expect(rootOf('interface Spec { size?: number }', 'phase: string').required).toBeUndefined();
    expect(rootOf('type Spec = Record<string, unknown>', 'phase: string').required).toBeUndefined();
  });

  it('skips @Resource classes: a project of built-in kinds has no CRD', () => {
    const source =
      "declare function Resource(o: object): ClassDecorator;\n@Resource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' }) export class H extends ResourceHandler {}";
    expect(generateCrds(project(source))).toEqual([]);
  });
});
