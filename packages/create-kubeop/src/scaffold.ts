// Writes the project's files into an empty (or new) folder.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Answers } from './answers.js';
import { contextOf } from './templates/context.js';
import { dockerfile, dockerignore, gitignore } from './templates/docker.js';
import { handler } from './templates/handler.js';
import { main } from './templates/main.js';
import { packageJson } from './templates/package-json.js';
import { readme } from './templates/readme.js';
import { integrationTest } from './templates/test.js';
import { tsconfig, tsconfigTest } from './templates/tsconfig.js';
import { InvalidAnswerError } from './validate.js';

/** Every file of a new project, by path relative to its folder. */
export function projectFiles(answers: Answers): Record<string, string> {
  const c = contextOf(answers);
  return {
    'package.json': packageJson(c),
    'tsconfig.json': tsconfig(),
    'tsconfig.test.json': tsconfigTest(),
    [`src/${c.file}.handler.ts`]: handler(c),
    'src/main.ts': main(c),
    [`test/${c.file}.int.test.ts`]: integrationTest(c),
    Dockerfile: dockerfile(),
    '.dockerignore': dockerignore(),
    '.gitignore': gitignore(),
    'README.md': readme(c),
  };
}

/** Refuses a folder that has anything in it, so nothing of the user's is overwritten; a missing one is fine. */
export async function assertEmptyFolder(dir: string): Promise<void> {
  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') throw new InvalidAnswerError(`${dir} is a file: choose a new folder`);
    throw error;
  });
  if (existing.length) {
    throw new InvalidAnswerError(
      `${dir} is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}): choose a new folder`,
    );
  }
}

/** Writes the project into an empty or missing folder (files are created exclusively: a race fails, it does not overwrite). */
export async function scaffold(answers: Answers): Promise<string[]> {
  await assertEmptyFolder(answers.dir);
  const files = projectFiles(answers);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(answers.dir, path)), { recursive: true });
    await writeFile(join(answers.dir, path), content, { flag: 'wx' });
  }
  return Object.keys(files);
}
