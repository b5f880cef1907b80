// A cross-process lock made of a directory: mkdir is atomic, and a lock whose holder died or went silent is taken over.
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Who holds a lock, as written in its `owner.json`. */
export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export interface LockOptions {
  /** Called about every `pollMs` while another process holds the lock. */
  onWait?: (owner: LockOwner | undefined, waitedMs: number) => void;
  /** A lock whose heartbeat is older than this is taken over, even if its holder looks alive. Defaults to 60000. */
  staleMs?: number;
  /** How often the holder refreshes the lock's mtime. Defaults to 5000. */
  heartbeatMs?: number;
  /** How often a waiter tries again. Defaults to 1000. */
  pollMs?: number;
}

/** Releases a lock; calling it twice is harmless. */
export type ReleaseLock = () => Promise<void>;

/**
 * Waits until `path` (a directory that must not exist otherwise) can be put in place, then holds it.
 * The lock only saves duplicate work: callers must still publish results atomically, because taking over a
 * stale lock is not race-free (two waiters may both see it stale).
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<ReleaseLock> {
  const staleMs = options.staleMs ?? 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const started = Date.now();
  // The lock appears with its owner.json already inside (a directory renamed into place), so a waiter always
  // knows whom it waits for. rename() onto a non-empty directory fails, which is what makes it a lock.
  const candidate = `${path}.new-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await mkdir(candidate, { recursive: true });
  for (;;) {
    const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    await writeFile(join(candidate, 'owner.json'), JSON.stringify(owner));
    try {
      await rename(candidate, path);
      // The candidate may have waited long: its age must not make the fresh lock look stale.
      const now = new Date();
      await utimes(path, now, now);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        await rm(candidate, { recursive: true, force: true });
        throw error;
      }
    }
    const holder = await readOwner(path);
    if (await isStale(path, holder, staleMs)) {
      await removeStale(path);
      continue;
    }
    options.onWait?.(holder, Date.now() - started);
    await sleep(pollMs);
  }

  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, options.heartbeatMs ?? 5_000);
  heartbeat.unref();

  let released = false;
  return async () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    await rm(path, { recursive: true, force: true });
  };
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(join(path, 'owner.json'), 'utf8')) as LockOwner;
  } catch {
    return undefined; // not written yet, or the lock just went away
  }
}

async function isStale(path: string, owner: LockOwner | undefined, staleMs: number): Promise<boolean> {
  if (owner && owner.host === hostname() && !isAlive(owner.pid)) return true;
  try {
    return Date.now() - (await stat(path)).mtimeMs > staleMs;
  } catch {
    return false; // gone: the next mkdir will tell
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Renaming first means only one waiter removes a given stale lock; a later mkdir by anyone then starts afresh.
async function removeStale(path: string): Promise<void> {
  const grave = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(path, grave);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(grave, { recursive: true, force: true });
}
