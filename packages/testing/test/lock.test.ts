// acquireLock: mutual exclusion, and taking over locks whose holder is gone.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../src/lock.js';
import { tempDir } from './support/fake-bin.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function lockPath(): Promise<string> {
  const dir = await tempDir('lock');
  dirs.push(dir);
  return join(dir, '.lock');
}

describe('acquireLock', () => {
  test('a second taker waits until the first releases', async () => {
    const path = await lockPath();
    const order: string[] = [];
    const releaseFirst = await acquireLock(path);
    let waited = false;
    const second = acquireLock(path, { pollMs: 20, onWait: () => (waited = true) }).then((release) => {
      order.push('second');
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    order.push('first releases');
    await releaseFirst();
    await (
      await second
    )();
    expect(order).toEqual(['first releases', 'second']);
    expect(waited).toBe(true);
    await expect(stat(path)).rejects.toThrow('ENOENT');
  });

  test('a lock held by a dead process on this host is taken over', async () => {
    const path = await lockPath();
    await mkdir(path);
    // Pid 2^22 + 1 is above Linux's pid_max, so no process has it.
    await writeFile(join(path, 'owner.json'), JSON.stringify({ pid: 4_194_305, host: hostname(), since: '' }));
    const release = await acquireLock(path, { pollMs: 20 });
    await release();
  });

  test('a lock without heartbeat for staleMs is taken over even if its owner is unknown', async () => {
    const path = await lockPath();
    await mkdir(path);
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    const release = await acquireLock(path, { pollMs: 20, staleMs: 60_000 });
    await release();
  });
});
