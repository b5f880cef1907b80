// Finds the @ConvertFrom / @ConvertTo methods of a handler class statically: the version, options and the types converted.
import type { ConversionDirection, ConvertOptions } from '@kubeop/decorators';
import ts from 'typescript';
import { CliError } from '../errors.js';
import { evaluate, NotStaticError } from './evaluate.js';
import { location } from './locate.js';

export interface FoundConverter {
  direction: ConversionDirection;
  version: string;
  method: string;
  options: ConvertOptions;
  /** `Class.method (@ConvertFrom('v1'), file:line)`, for messages. */
  where: string;
  /** The type the other version's object has: the parameter of @ConvertFrom, the return type of @ConvertTo. */
  objectType: string;
  spec: ts.TypeNode | undefined;
  status: ts.TypeNode | undefined;
}

const DECORATORS: Record<string, ConversionDirection> = { ConvertFrom: 'from', ConvertTo: 'to' };

/** The converters declared on the class itself (not inherited), with the Spec and Status of the other version. */
export function findConverters(
  node: ts.ClassLikeDeclaration,
  checker: ts.TypeChecker,
  calleeName: (expression: ts.Expression) => string | undefined,
): FoundConverter[] {
  const className = node.name?.text ?? '(anonymous class)';
  const found: FoundConverter[] = [];
  for (const member of node.members) {
    if (!ts.isMethodDeclaration(member)) continue;
    for (const decorator of ts.getDecorators(member) ?? []) {
      if (!ts.isCallExpression(decorator.expression)) continue;
      const name = calleeName(decorator.expression.expression);
      const direction = name === undefined ? undefined : DECORATORS[name];
      if (!direction) continue;
      const [versionNode, optionsNode] = decorator.expression.arguments;
      const method = member.name.getText();
      const at = `${className}.${method} (${location(member)})`;
      const version = read(versionNode, checker, `@${name} on ${at}`);
      const options = (optionsNode ? read(optionsNode, checker, `@${name} on ${at}`) : {}) as ConvertOptions;
      const where = `${className}.${method} (@${name}('${String(version)}'), ${location(member)})`;
      const typeNode = direction === 'from' ? member.parameters[0]?.type : member.type;
      if (!typeNode)
        throw new CliError(
          `${where}: ${direction === 'from' ? 'its parameter has' : 'it has'} no type; declare ` +
            `${direction === 'from' ? 'the parameter' : 'the return type'} as CustomObject<Spec, Status> of version ${String(version)}: ` +
            "kubeop crd reads that version's schema from it",
        );
      const [spec, status] = customObjectArguments(typeNode, checker, calleeName, where);
      found.push({
        direction,
        version: String(version),
        method,
        options,
        where,
        objectType: typeNode.getText(),
        spec,
        status,
      });
    }
  }
  return found;
}

function read(node: ts.Expression | undefined, checker: ts.TypeChecker, where: string): unknown {
  if (!node) throw new CliError(`${where}: no version given, such as '${'v1'}'`);
  try {
    return evaluate(node, checker);
  } catch (error) {
    if (!(error instanceof NotStaticError)) throw error;
    throw new CliError(`${where}: ${error.message}; write the version and options as literals or consts`);
  }
}

/** Spec and Status of `CustomObject<Spec, Status>`, also through type aliases of it (`type WidgetV1 = CustomObject<...>`). */
function customObjectArguments(
  node: ts.TypeNode,
  checker: ts.TypeChecker,
  calleeName: (expression: ts.Expression) => string | undefined,
  where: string,
  depth = 0,
): [ts.TypeNode | undefined, ts.TypeNode | undefined] {
  if (ts.isTypeReferenceNode(node) && depth < 10) {
    const name = ts.isIdentifier(node.typeName) ? node.typeName : node.typeName.right;
    if (calleeName(name) === 'CustomObject') return [node.typeArguments?.[0], node.typeArguments?.[1]];
    let symbol = checker.getSymbolAtLocation(node.typeName);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const alias = symbol?.declarations?.find(ts.isTypeAliasDeclaration);
    if (alias && !alias.typeParameters) return customObjectArguments(alias.type, checker, calleeName, where, depth + 1);
  }
  throw new CliError(
    `${where}: ${node.getText()} is not CustomObject<Spec, Status> (or an alias of it); kubeop crd reads the version's ` +
      'schema from the Spec and Status type arguments',
  );
}
