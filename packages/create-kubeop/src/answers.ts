// What the project is made of: flags first, then a prompt per missing answer (or its default with --yes).
import { basename, resolve } from 'node:path';
import type { Flags } from './args.js';
import { pluralOf } from './names.js';
import { assertEmptyFolder } from './empty-folder.js';
import {
  assertValid,
  type Check,
  checkGroup,
  checkKind,
  checkPlural,
  checkProjectName,
  checkVersion,
  InvalidAnswerError,
} from './validate.js';

export interface Answers {
  /** Absolute path of the folder to write. */
  dir: string;
  /** The npm package name: the folder's name. */
  name: string;
  group: string;
  version: string;
  kind: string;
  plural: string;
}

/** Asks one question; resolves with the line typed (empty for the default), or undefined once input has ended. */
export type Ask = (question: string) => Promise<string | undefined>;

export const DEFAULTS = { folder: 'my-operator', group: 'example.com', version: 'v1alpha1', kind: 'Widget' } as const;

/** `tell` shows why an answer was refused before the question comes again. */
export async function resolveAnswers(
  flags: Flags,
  ask: Ask,
  cwd = process.cwd(),
  tell: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Answers> {
  const answer = async (field: string, given: string | undefined, fallback: string, check: Check): Promise<string> => {
    if (given !== undefined) {
      assertValid(check, given);
      return given;
    }
    if (flags.yes) return fallback;
    for (;;) {
      const typed = await ask(`${field} (${fallback}): `);
      if (typed === undefined)
        throw new InvalidAnswerError(`no answer for ${field} (input ended): pass --${field} or --yes`);
      const value = typed.trim() || fallback;
      const problem = check(value);
      if (!problem) return value;
      tell(`  ${problem}`);
    }
  };
  const folder = await answer('folder', flags.folder, DEFAULTS.folder, (f) =>
    f.trim() ? null : 'folder must not be empty',
  );
  const dir = resolve(cwd, folder);
  const name = basename(dir);
  assertValid(checkProjectName, name);
  await assertEmptyFolder(dir); // before the other questions, not after them
  const group = await answer('group', flags.group, DEFAULTS.group, checkGroup);
  const version = await answer('version', flags.version, DEFAULTS.version, checkVersion);
  const kind = await answer('kind', flags.kind, DEFAULTS.kind, checkKind);
  const plural = await answer('plural', flags.plural, pluralOf(kind), checkPlural);
  if (`${plural}.${group}`.length > 253)
    throw new InvalidAnswerError(`the CRD name ${plural}.${group} is longer than 253 characters`);
  return { dir, name, group, version, kind, plural };
}
