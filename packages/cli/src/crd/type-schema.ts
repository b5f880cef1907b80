// JSON Schema of a TypeScript type node, by ts-json-schema-generator over the project's own program.
import tsj, { type Config } from 'ts-json-schema-generator';
import type ts from 'typescript';

/** TSDoc tags beyond the JSON Schema ones the library knows; the rewrite pass turns them into CRD keywords. */
export const EXTRA_TAGS = [
  'integer',
  'intOrString',
  'validation',
  'listType',
  'listMapKeys',
  'mapType',
  'preserveUnknownFields',
  'embeddedResource',
];

const CONFIG: Config = {
  expose: 'none', // every named type inlined: a CRD schema has no definitions
  topRef: false,
  jsDoc: 'extended', // descriptions and @asType
  extraTags: EXTRA_TAGS,
  sortProps: false, // the order of the source, as kubectl explain shows it
  additionalProperties: true, // no `additionalProperties: false`, which a CRD refuses; unknown fields are pruned anyway
  skipTypeCheck: true, // the build type-checks; here only the shapes matter
  functions: 'comment',
  encodeRefs: false,
};

/** Makes schemas for type nodes of one program; the library's parser caches what it parsed across calls. */
export function schemaMaker(program: ts.Program): (node: ts.TypeNode) => Record<string, unknown> {
  const config = { ...tsj.DEFAULT_CONFIG, ...CONFIG, tsProgram: program };
  const generator = new tsj.SchemaGenerator(
    program,
    tsj.createParser(program, config),
    tsj.createFormatter(config),
    config,
  );
  return (node) => {
    const { $schema: _, ...schema } = generator.createSchemaFromNodes([node]) as Record<string, unknown>;
    return schema;
  };
}
