// The CRD of every @CustomResource handler class of a project: names from the decorator, the schema from Spec and Status.
import { ResourceHandler } from '@kubeop/core';
import {
  crdFileName,
  crdManifest,
  describeHandlerClass,
  StructuralSchemaError,
  structuralProblems,
} from '@kubeop/core/tooling';
import { type ResourceRecord, defineResource } from '@kubeop/decorators';
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
  const resource = normalise(handler);
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
    manifest: crdManifest(resource, schema),
  };
}

/** The record the decorator would write, validated as the runtime validates it: one normalisation for both. */
function normalise(handler: FoundHandler): ResourceRecord {
  class Handler extends ResourceHandler {
    async handle(): Promise<void> {}
  }
  Object.defineProperty(Handler, 'name', { value: handler.className });
  defineResource(Handler, { resource: handler.options, onReconcile: 'handle' });
  try {
    return describeHandlerClass(Handler).resource;
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
