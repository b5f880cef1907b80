// The CLI's errors extend core's KubeopError with stable codes, as every kubeop error does.
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { KubeopError } from '@kubeop/core';
import * as cli from '../src/index.js';
import { CliError } from '../src/errors.js';
import { NotStaticError } from '../src/crd/evaluate.js';
import { UnsupportedTypeError } from '../src/crd/refuse.js';

const source = ts.createSourceFile('options.ts', 'const group = groupOf();', ts.ScriptTarget.ES2022, true);
const call = (source.statements[0] as ts.VariableStatement).declarationList.declarations[0]!.initializer!;

/** One instance of every error class of the CLI. */
const instances: KubeopError[] = [
  new CliError('--name "X" is not a DNS label', 2),
  new NotStaticError(call),
  new UnsupportedTypeError('.spec.run', 'function type'),
];

describe('the errors of @kubeop/cli', () => {
  it('extend KubeopError, named after their class, each with its own upper-case code', () => {
    for (const error of instances) {
      expect([error.name, error instanceof KubeopError]).toEqual([error.constructor.name, true]);
      expect(error.code).toMatch(/^[A-Z][A-Z_]+$/);
    }
    expect(new Set(instances.map((error) => error.code)).size).toBe(instances.length);
    expect(instances.map((error) => error.code)).toEqual(['CLI_USAGE', 'NOT_STATIC', 'UNSUPPORTED_TYPE']);
  });

  it('tell bad input (exit 2) from a failed step (exit 1) by code', () => {
    expect(new CliError('bad flag', 2)).toMatchObject({ code: 'CLI_USAGE', exitCode: 2 });
    expect(new CliError('a step failed')).toMatchObject({ code: 'CLI_FAILED', exitCode: 1 });
  });

  it('cover every error class the package exports', () => {
    const covered = new Set<unknown>(instances.map((error) => error.constructor));
    const exported = Object.values(cli).filter(
      (value) => typeof value === 'function' && (value as { prototype: unknown }).prototype instanceof Error,
    );
    expect(exported).toEqual([CliError]);
    for (const errorClass of exported) expect(covered.has(errorClass)).toBe(true);
  });
});
