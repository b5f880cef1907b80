// The check that a project folder is new or empty, asked before the other questions and again before writing.
import { readdir } from 'node:fs/promises';
import { InvalidAnswerError } from './validate.js';

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
