// Walks a Spec or Status type with the checker and refuses, naming the type and property, what a CRD schema cannot express.
import ts from 'typescript';
import { KubeopError } from '@kubeop/core';

/** A field whose type has no structural schema: `path` from the Spec or Status type (`.tree.children[]`), and why. */
export class UnsupportedTypeError extends KubeopError {
  override readonly name = 'UnsupportedTypeError';
  readonly code = 'UNSUPPORTED_TYPE';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path || '(root)'}: ${reason}`);
  }
}

/** Objects the schema maps itself (Date → date-time string); other built-in classes (Map, Set, RegExp, Promise) are refused. */
const MAPPED_CLASSES = new Set(['Date']);

/** Throws UnsupportedTypeError for the first recursive type, function, class instance or union of object shapes reachable from `root`. */
export function refuseUnsupported(root: ts.Type, checker: ts.TypeChecker): void {
  const stack: ts.Type[] = [];
  const fail = (path: string, reason: string, fix: string): never => {
    throw new UnsupportedTypeError(path, `${reason}; ${fix}`);
  };
  const visit = (type: ts.Type, path: string): void => {
    // The checker's error type: what an import from a module it cannot find gives. The library would make it `any`.
    if (type.flags & ts.TypeFlags.Any && (type as { intrinsicName?: string }).intrinsicName === 'error') {
      fail(
        path,
        'its type could not be resolved',
        'is the module it is imported from installed (npm install), and the import right?',
      );
    }
    if (
      type.flags &
      (ts.TypeFlags.Any |
        ts.TypeFlags.Unknown |
        ts.TypeFlags.StringLike |
        ts.TypeFlags.NumberLike |
        ts.TypeFlags.BooleanLike |
        ts.TypeFlags.Null |
        ts.TypeFlags.Undefined |
        ts.TypeFlags.EnumLike)
    )
      return;
    if (type.flags & (ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike))
      fail(path, `${checker.typeToString(type)} has no JSON form`, 'use a string or number');
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
      const objects = members.filter((t) => t.flags & ts.TypeFlags.Object && !isMappedClass(t));
      if (objects.length && members.length > 1 && !members.every((t) => checker.isArrayType(t))) {
        fail(
          path,
          `union of object shapes (${checker.typeToString(type)})`,
          'a structural schema has one shape per field: merge them into one type with optional fields, and a CEL @validation rule for what goes together',
        );
      }
      for (const member of members) visit(member, path);
      return;
    }
    if (type.isIntersection()) {
      for (const member of type.types) visit(member, path);
      return;
    }
    if (!(type.flags & ts.TypeFlags.Object)) return;
    if (type.getCallSignatures().length || type.getConstructSignatures().length) {
      fail(
        path,
        `function type (${checker.typeToString(type)})`,
        'a CRD holds data only: remove the field or make it data',
      );
    }
    if (isMappedClass(type)) return;
    const symbol = type.getSymbol();
    if (symbol && symbol.flags & ts.SymbolFlags.Class && isKubernetesModel(symbol)) {
      fail(
        path,
        `${symbol.name} is a class of @kubernetes/client-node, which kubeop crd does not turn into a schema`,
        'declare an interface with the fields your resource takes, or type the field Record<string, unknown> (kept as sent) and cast where you read it',
      );
    }
    if (symbol && symbol.flags & ts.SymbolFlags.Class) {
      fail(
        path,
        `instance of the class ${symbol.name}`,
        'a CRD holds plain JSON: declare an interface with the fields it stores',
      );
    }
    if (symbol && isLibObject(symbol) && !checker.isArrayType(type) && !checker.isTupleType(type)) {
      fail(
        path,
        `instance of ${symbol.name}`,
        'a CRD holds plain JSON: use an object (Record<string, T>), an array or a string',
      );
    }
    if (stack.includes(type)) {
      fail(
        path,
        `recursive type (${checker.typeToString(type)} contains itself)`,
        'a structural schema is finite: cap the depth with separate types, or declare the field unknown (x-kubernetes-preserve-unknown-fields)',
      );
    }
    stack.push(type);
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      for (const element of checker.getTypeArguments(type as ts.TypeReference)) visit(element, `${path}[]`);
    } else {
      for (const property of checker.getPropertiesOfType(type)) {
        visit(checker.getTypeOfSymbol(property), `${path}.${property.name}`);
      }
      const index = checker.getIndexTypeOfType(type, ts.IndexKind.String);
      if (index) visit(index, `${path}[*]`);
    }
    stack.pop();
  };
  visit(root, '');
}

/**
 * The generated models of client-node (V1Container, V1PodSpec...). Data classes, but lossy: a quantity is a `string`
 * there (`cpu: 1` is valid Kubernetes) and int-or-string a bare `number | string`, so a schema from them would refuse
 * what the API server accepts. Kubernetes' own OpenAPI is the schema for those; until kubeop embeds it, say so.
 */
function isKubernetesModel(symbol: ts.Symbol): boolean {
  return (symbol.getDeclarations() ?? []).some((d) =>
    /[/\\]@kubernetes[/\\]client-node[/\\]/.test(d.getSourceFile().fileName),
  );
}

function isMappedClass(type: ts.Type): boolean {
  const symbol = type.getSymbol();
  return !!symbol && MAPPED_CLASSES.has(symbol.name) && isLibObject(symbol);
}

/** Declared in TypeScript's own lib files (Map, Set, Date), or in @types/node (Buffer, URL). */
function isLibObject(symbol: ts.Symbol): boolean {
  const declarations = symbol.getDeclarations() ?? [];
  return (
    declarations.length > 0 &&
    declarations.every((d) =>
      /[/\\]typescript[/\\]lib[/\\]lib\.|[/\\]@types[/\\]node[/\\]/.test(d.getSourceFile().fileName),
    ) &&
    !['Array', 'ReadonlyArray', '__type', '__object', 'Object'].includes(symbol.name)
  );
}
