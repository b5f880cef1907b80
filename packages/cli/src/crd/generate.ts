// The CRD of every @CustomResource handler class of a project: names from the decorator, the schema from Spec and Status.
import { ResourceHandler } from '@kubeop/core';
import {
  crdFileName,
  crdManifest,
  describeHandlerClass,
  firstDifference,
  type ServedVersion,
  StructuralSchemaError,
  structuralProblems,
  type VersionDescription,
} from '@kubeop/core/tooling';
import { ConvertFrom, ConvertTo, defineResource, type ResourceRecord } from '@kubeop/decorators';
import type ts from 'typescript';
import { CliError } from '../errors.js';
import { findHandlers, type FoundHandler } from './find-handlers.js';
import { declarationAt, location } from './locate.js';
import { loadProgram } from './program.js';
import { refuseUnsupported, UnsupportedTypeError } from './refuse.js';
import { toStructural } from './rewrite.js';
import { schemaMaker } from './type-schema.js';

export interface GeneratedCrd {
  /** `<plural>.<group>`. */
  name: string;
  /** `<plural>.<group>.json`: what `--out` writes and the runtime reads. */
  file: string;
  className: string;
  manifest: Record<string, unknown>;
}

/**
 * Generates the CRDs of the project whose tsconfig.json is given, none when it has no @CustomResource class (an
 * operator of built-in kinds); throws CliError naming the class, type and property.
 */
export function generateCrds(tsconfigPath: string): GeneratedCrd[] {
  const program = loadProgram(tsconfigPath);
  const found = findHandlers(program);
  const makeSchema = schemaMaker(program);
  const crds = found.map((handler) => generateCrd(handler, program.getTypeChecker(), makeSchema));
  const seen = new Map<string, string>();
  for (const crd of crds) {
    const other = seen.get(crd.name);
    if (other)
      throw new CliError(`${other} and ${crd.className} both define ${crd.name}: one handler class per resource`);
    seen.set(crd.name, crd.className);
  }
  return crds.sort((a, b) => a.name.localeCompare(b.name));
}

function generateCrd(
  handler: FoundHandler,
  checker: ts.TypeChecker,
  makeSchema: (node: ts.TypeNode) => Record<string, unknown>,
): GeneratedCrd {
  const { resource, versions } = normalise(handler);
  let schema: Record<string, unknown>;
  if (handler.handWritten) {
    if (!resource.schema)
      throw new CliError(
        `${handler.className} (${handler.where}): its schema cannot be read from the source; the operator installs it itself`,
      );
    schema = resource.schema;
  } else {
    const spec = partSchema(handler, 'spec', handler.spec, checker, makeSchema);
    schema = {
      type: 'object',
      ...(handler.description ? { description: handler.description } : {}),
      properties: { spec, status: partSchema(handler, 'status', handler.status, checker, makeSchema) },
      // An object without the spec its handler needs is refused by the API server, not retried by the handler for
      // ever; status is never required, as the operator writes it after creation.
      ...(requiresSomething(spec) ? { required: ['spec'] } : {}),
    };
  }
  const problems = structuralProblems(schema);
  if (problems.length)
    throw new CliError(new StructuralSchemaError(`${handler.className} (${handler.where})`, problems).message);
  return {
    name: `${resource.plural}.${resource.group}`,
    file: crdFileName(resource),
    className: handler.className,
    manifest: crdManifest(
      resource,
      schema,
      versions.map((version) => servedVersion(handler, version, checker, makeSchema)),
    ),
  };
}

/**
 * Another served version: its schema from the converters' types, which must agree (the parameter of @ConvertFrom
 * and the return type of @ConvertTo are the same object at that version).
 */
function servedVersion(
  handler: FoundHandler,
  version: VersionDescription,
  checker: ts.TypeChecker,
  makeSchema: (node: ts.TypeNode) => Record<string, unknown>,
): ServedVersion {
  const schemaOf = (direction: 'from' | 'to') => {
    const converter = handler.converters.find((c) => c.direction === direction && c.version === version.name)!;
    const parts = { className: `${converter.where}:`, where: handler.where };
    return {
      converter,
      schema: {
        type: 'object',
        properties: {
          spec: partSchema({ ...handler, ...parts }, 'spec', converter.spec, checker, makeSchema),
          status: partSchema({ ...handler, ...parts }, 'status', converter.status, checker, makeSchema),
        },
      },
    };
  };
  const from = schemaOf('from');
  const to = schemaOf('to');
  const difference = firstDifference(to.schema, from.schema);
  if (difference)
    throw new CliError(
      `${handler.className} (${handler.where}): the two converters of version ${version.name} disagree on its type: ` +
        `${from.converter.where} takes ${from.converter.objectType}, ${to.converter.where} returns ` +
        `${to.converter.objectType}, and their schemas differ at ${difference.replace(/ wanted$/, ' in the first')}; ` +
        'give both the same CustomObject<Spec, Status>',
    );
  const problems = structuralProblems(from.schema);
  if (problems.length)
    throw new CliError(
      new StructuralSchemaError(`${handler.className} version ${version.name} (${handler.where})`, problems).message,
    );
  return { ...version, schema: from.schema };
}

/**
 * The records the decorators would write, validated as the runtime validates them: one normalisation for both. The
 * converters are stand-ins of the same names, so the explorer's rules on versions apply at build time too.
 */
function normalise(handler: FoundHandler): { resource: ResourceRecord; versions: VersionDescription[] } {
  class Handler extends ResourceHandler {
    async handle(): Promise<void> {}
  }
  Object.defineProperty(Handler, 'name', { value: handler.className });
  defineResource(Handler, { resource: handler.options, onReconcile: 'handle' });
  for (const converter of handler.converters) {
    const prototype = Handler.prototype as unknown as Record<string, unknown>;
    prototype[converter.method] = () => undefined;
    const decorate = converter.direction === 'from' ? ConvertFrom : ConvertTo;
    decorate(converter.version, converter.options)(prototype, converter.method, {});
  }
  try {
    const { resource, versions } = describeHandlerClass(Handler);
    return { resource, versions };
  } catch (error) {
    throw new CliError(`${(error as Error).message} (${handler.where})`);
  }
}

/** A spec schema with a required field: `{}` would not do, so the object needs a spec. */
function requiresSomething(schema: Record<string, unknown>): boolean {
  return Array.isArray(schema.required) && schema.required.length > 0;
}

function partSchema(
  handler: FoundHandler,
  part: 'spec' | 'status',
  node: ts.TypeNode | undefined,
  checker: ts.TypeChecker,
  makeSchema: (node: ts.TypeNode) => Record<string, unknown>,
): Record<string, unknown> {
  // No type argument: ResourceHandler's default, Record<string, unknown>.
  if (!node) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const what = `${handler.className} ${part} (${node.getText()})`;
  const type = checker.getTypeFromTypeNode(node);
  try {
    refuseUnsupported(type, checker);
    return toStructural(makeSchema(node));
  } catch (error) {
    if (!(error instanceof UnsupportedTypeError))
      throw new CliError(`${what} (${handler.where}): ${(error as Error).message}`);
    // The field's own file and line too: the type may live far from the class.
    const declaration = declarationAt(type, error.path, checker);
    throw new CliError(
      `${what}${error.path}${declaration ? ` (${location(declaration)})` : ''}: ${error.reason} (${handler.className} at ${handler.where})`,
    );
  }
}
