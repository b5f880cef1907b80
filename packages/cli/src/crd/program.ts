// The project's TypeScript program, from its tsconfig.json: what the handler classes and their types are read from.
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { CliError } from '../errors.js';

export function loadProgram(tsconfigPath: string): ts.Program {
  const path = resolve(tsconfigPath);
  const read = ts.readConfigFile(path, ts.sys.readFile);
  if (read.error)
    throw new CliError(
      `cannot read ${tsconfigPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')} (give --project)`,
      2,
    );
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(path), undefined, path);
  const errors = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length)
    throw new CliError(
      `${tsconfigPath}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`,
      2,
    );
  // Types only: no emit, and no need for the project references' outputs beyond their declarations.
  return ts.createProgram({
    rootNames: parsed.fileNames,
    options: { ...parsed.options, noEmit: true },
    projectReferences: parsed.projectReferences,
  });
}
