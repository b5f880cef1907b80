// Finds the @CustomResource handler classes of a program statically: their options and the Spec and Status type arguments.
import type { CustomResourceOptions } from '@kubeop/decorators';
import ts from 'typescript';
import { CliError } from '../errors.js';
import { assignProperty, evaluate, NotStaticError } from './evaluate.js';
import { findConverters, type FoundConverter } from './find-converters.js';
import { location } from './locate.js';
import { symbolDescription } from './tsdoc.js';

export interface FoundHandler {
  className: string;
  /** `file:line`, for messages. */
  where: string;
  options: CustomResourceOptions;
  /** Whether the decorator has a `schema` (hand-written: used as it is). */
  handWritten: boolean;
  /** The class's TSDoc, the CRD's description. */
  description: string | undefined;
  spec: ts.TypeNode | undefined;
  status: ts.TypeNode | undefined;
  /** `@ConvertFrom` / `@ConvertTo` methods: the other served versions and their types. */
  converters: FoundConverter[];
}

/** Every class of the program's own files (not declarations) decorated with @CustomResource; @Resource classes have no CRD. */
export function findHandlers(program: ts.Program): FoundHandler[] {
  const checker = program.getTypeChecker();
  const found: FoundHandler[] = [];
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || program.isSourceFileFromExternalLibrary(file)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
        const handler = describeClass(node, checker);
        if (handler) found.push(handler);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

function describeClass(node: ts.ClassLikeDeclaration, checker: ts.TypeChecker): FoundHandler | undefined {
  const decorator = ts
    .getDecorators(node)
    ?.find(
      (d) => ts.isCallExpression(d.expression) && calleeName(d.expression.expression, checker) === 'CustomResource',
    );
  if (!decorator) return undefined;
  const call = decorator.expression as ts.CallExpression;
  const className = node.name?.text ?? '(anonymous class)';
  const where = location(node);
  const argument = call.arguments[0];
  if (!argument) throw new CliError(`@CustomResource on ${className} (${where}) has no options`);
  let options: CustomResourceOptions;
  try {
    options = evaluate(argument, checker) as CustomResourceOptions;
  } catch (error) {
    if (!(error instanceof NotStaticError)) throw error;
    // A hand-written schema may come from a library (TypeBox): the rest must still be readable.
    options = readWithoutSchema(argument, checker, className, where, error);
  }
  const handWritten = hasProperty(argument, 'schema', checker);
  const [spec, status] = typeArguments(node, checker);
  const symbol = node.name ? checker.getSymbolAtLocation(node.name) : undefined;
  const description = symbol ? symbolDescription(symbol, checker) : undefined;
  const converters = findConverters(node, checker, (expression) => calleeName(expression, checker));
  return { className, where, options, handWritten, description, spec, status, converters };
}

/** `CustomResource`, also when imported under another name. */
function calleeName(expression: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(expression) ? expression.name : expression);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
    // The imported name, also when the module does not resolve (no node_modules yet: the checker knows nothing then).
    const specifier = symbol.declarations?.find(ts.isImportSpecifier);
    return specifier ? (specifier.propertyName ?? specifier.name).text : checker.getAliasedSymbol(symbol).name;
  }
  return symbol?.name ?? (ts.isIdentifier(expression) ? expression.text : undefined);
}

function hasProperty(argument: ts.Expression, name: string, checker: ts.TypeChecker): boolean {
  return checker.getTypeAtLocation(argument).getProperty(name) !== undefined;
}

function readWithoutSchema(
  argument: ts.Expression,
  checker: ts.TypeChecker,
  className: string,
  where: string,
  cause: NotStaticError,
): CustomResourceOptions {
  if (ts.isObjectLiteralExpression(argument)) {
    try {
      const options: Record<string, unknown> = {};
      for (const property of argument.properties) {
        if (ts.isPropertyAssignment(property) && property.name.getText() === 'schema') continue;
        assignProperty(options, property, checker);
      }
      return options as unknown as CustomResourceOptions;
    } catch (error) {
      if (!(error instanceof NotStaticError)) throw error;
      cause = error;
    }
  }
  throw new CliError(
    `@CustomResource on ${className} (${where}): ${cause.message}. kubeop crd reads the options from the source: ` +
      'write them as literals, or as consts declared with literals',
  );
}

/**
 * The Spec and Status type arguments of `extends ResourceHandler<Spec, Status>`, through intermediate classes: a
 * generic one's type parameter passed on as it is (`class Base<S> extends ResourceHandler<S>`) stands for the node the
 * subclass gave it. The schema generator reads nodes, so the node written in the subclass is what it must get.
 */
function typeArguments(
  node: ts.ClassLikeDeclaration,
  checker: ts.TypeChecker,
  bound = new Map<ts.Symbol, ts.TypeNode>(),
  depth = 0,
): [ts.TypeNode | undefined, ts.TypeNode | undefined] {
  const heritage = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!heritage || depth > 10) return [undefined, undefined];
  const given = (i: number) => substitute(heritage.typeArguments?.[i], checker, bound);
  if (calleeName(heritage.expression, checker) === 'ResourceHandler') return [given(0), given(1)];
  let symbol = checker.getSymbolAtLocation(heritage.expression);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const base = symbol?.valueDeclaration;
  if (!base || !ts.isClassLike(base)) return [undefined, undefined];
  const next = new Map<ts.Symbol, ts.TypeNode>();
  base.typeParameters?.forEach((parameter, i) => {
    const argument = given(i) ?? parameter.default;
    const parameterSymbol = checker.getSymbolAtLocation(parameter.name);
    if (argument && parameterSymbol) next.set(parameterSymbol, argument);
  });
  return typeArguments(base, checker, next, depth + 1);
}

/** The node a type parameter stands for, when `node` is one of the parameters in `bound`; else `node`. */
function substitute(
  node: ts.TypeNode | undefined,
  checker: ts.TypeChecker,
  bound: Map<ts.Symbol, ts.TypeNode>,
): ts.TypeNode | undefined {
  if (!node || !ts.isTypeReferenceNode(node) || node.typeArguments) return node;
  const symbol = checker.getSymbolAtLocation(node.typeName);
  return (symbol && bound.get(symbol)) ?? node;
}
