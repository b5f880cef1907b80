// Reads the value of a decorator's options without running the code: literals, consts, spreads and `as const`.
import ts from 'typescript';
import { KubeopError } from '@kubeop/core';

/** A decorator option that is no literal, const or spread of them: kubeop crd cannot read it without running code. */
export class NotStaticError extends KubeopError {
  override readonly name = 'NotStaticError';
  readonly code = 'NOT_STATIC';
  constructor(readonly node: ts.Node) {
    super(`cannot read ${node.getText().slice(0, 60)} without running the code`);
  }
}

/** The JSON value of an expression built from literals, arrays, objects, spreads and references to `const`s (imported ones too). */
export function evaluate(node: ts.Expression, checker: ts.TypeChecker, depth = 0): unknown {
  if (depth > 50) throw new NotStaticError(node);
  const next = (e: ts.Expression) => evaluate(e, checker, depth + 1);
  if (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isTypeAssertionExpression(node)
  ) {
    return next(node.expression);
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken)
    return -(next(node.operand) as number);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.flatMap((element) =>
      ts.isSpreadElement(element) ? (next(element.expression) as unknown[]) : [next(element)],
    );
  }
  if (ts.isObjectLiteralExpression(node)) {
    const value: Record<string, unknown> = {};
    for (const property of node.properties) assignProperty(value, property, checker, depth + 1);
    return value;
  }
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    const initializer = constInitializer(node, checker);
    if (initializer) return next(initializer);
    if (ts.isPropertyAccessExpression(node)) return (next(node.expression) as Record<string, unknown>)[node.name.text];
  }
  // Last resort: a literal type the checker knows (an enum member, a template of consts).
  const type = checker.getTypeAtLocation(node);
  if (type.isStringLiteral() || type.isNumberLiteral()) return type.value;
  if (node.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isIdentifier(node) && node.text === 'undefined'))
    return undefined;
  throw new NotStaticError(node);
}

/** Evaluates one member of an object literal into `value`. */
export function assignProperty(
  value: Record<string, unknown>,
  property: ts.ObjectLiteralElementLike,
  checker: ts.TypeChecker,
  depth = 0,
): void {
  const next = (e: ts.Expression) => evaluate(e, checker, depth + 1);
  if (ts.isSpreadAssignment(property)) Object.assign(value, next(property.expression));
  else if (ts.isPropertyAssignment(property)) value[propertyName(property.name, checker)] = next(property.initializer);
  else if (ts.isShorthandPropertyAssignment(property)) value[property.name.text] = next(property.name);
  else throw new NotStaticError(property);
}

function propertyName(name: ts.PropertyName, checker: ts.TypeChecker): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) return String(evaluate(name.expression, checker));
  throw new NotStaticError(name);
}

/** The initializer of the `const` a name refers to, through imports. */
function constInitializer(node: ts.Expression, checker: ts.TypeChecker): ts.Expression | undefined {
  let symbol = checker.getSymbolAtLocation(ts.isElementAccessExpression(node) ? node.argumentExpression : node);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) return declaration.initializer;
  if (declaration && ts.isPropertyAssignment(declaration)) return declaration.initializer;
  if (declaration && ts.isShorthandPropertyAssignment(declaration)) return declaration.name;
  return undefined;
}
