// Writes the project's files into an empty (or new) folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Answers } from './answers.js';
import { assertEmptyFolder } from './empty-folder.js';
import { contextOf } from './templates/context.js';
import { dockerfile, dockerignore, gitignore } from './templates/docker.js';
import { handler } from './templates/handler.js';
import { main } from './templates/main.js';
import { packageJson } from './templates/package-json.js';
import { readme } from './templates/readme.js';
import { integrationTest } from './templates/test.js';
import { tsconfig, tsconfigTest } from './templates/tsconfig.js';

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
