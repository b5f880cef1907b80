// Where a type's field is declared, from the path an error names (`.tree.children[]`): the file and line a message shows.
import { relative, isAbsolute } from 'node:path';
import ts from 'typescript';

/** `file:line` of a node; relative to the working directory when inside it, as a terminal shows paths. */
export function location(node: ts.Node): string {
  const file = node.getSourceFile();
  const path = relative(process.cwd(), file.fileName);
  const shown = path.startsWith('..') || isAbsolute(path) ? file.fileName : path;
  return `${shown}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
}

/**
 * The declaration of the field at `path` below `root`: `.name` is a property, `[]` an array's element, `[*]` an index
 * signature's value. `T | null` and optional fields are looked through. Undefined when the path leaves the type.
 */
export function declarationAt(root: ts.Type, path: string, checker: ts.TypeChecker): ts.Declaration | undefined {
  let type: ts.Type | undefined = root;
  let declaration: ts.Declaration | undefined;
  for (const [, name, step] of path.matchAll(/\.([^.[]+)|(\[\*?\])/g)) {
    if (!type) return undefined;
    type = checker.getNonNullableType(type);
    if (name !== undefined) {
      const property = checker.getPropertyOfType(type, name);
      declaration = property?.valueDeclaration ?? property?.declarations?.[0];
      type = property && checker.getTypeOfSymbol(property);
    } else if (step === '[]') {
      type =
        checker.isArrayType(type) || checker.isTupleType(type)
          ? checker.getTypeArguments(type as ts.TypeReference)[0]
          : undefined;
    } else {
      type = checker.getIndexTypeOfType(type, ts.IndexKind.String);
    }
  }
  return declaration;
}
