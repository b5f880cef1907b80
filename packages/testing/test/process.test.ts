// Servers started by startProcess die with their parent, even when the parent is killed with SIGKILL.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startProcess } from '../src/process.js';
import { isAlive, tempDir } from './support/fake-bin.js';
import { eventually } from '../src/eventually.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('process');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs a Node process (on Node's type stripping, as process.ts only needs built-ins) that starts `sleep 600`,
 * then does `then` ('hang' or 'exit'); resolves with both pids once the sleep runs.
 */
async function parentWithServer(then: 'hang' | 'exit'): Promise<{ parent: ReturnType<typeof spawn>; server: number }> {
  const processTs = new URL('../src/process.ts', import.meta.url).href;
  const script = `
    import { startProcess } from ${JSON.stringify(processTs)};
    const server = startProcess({ name: 'sleep', command: 'sleep', args: ['600'], logFile: ${JSON.stringify(join(dir, 'sleep.log'))} });
    console.log(server.pid);
    ${then === 'exit' ? 'process.exit(0);' : 'setInterval(() => {}, 1000);'}`;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
  return { parent, server: Number(line) };
}

describe('startProcess', () => {
  test('the server dies when its parent is killed with SIGKILL', async () => {
    const { parent, server } = await parentWithServer('hang');
    expect(isAlive(server)).toBe(true);
    parent.kill('SIGKILL');
    await eventually(() => !isAlive(server), 'the orphaned server to die', 10_000);
  });

  test('the server dies when its parent exits without stopping it', async () => {
    const { server } = await parentWithServer('exit');
    await eventually(() => !isAlive(server), 'the server to die', 10_000);
  });

  test('stop() sends SIGTERM, and SIGKILL when that is ignored', async () => {
    const logFile = join(dir, 'stubborn.log');
    // The log's first line repeats the command, so the marker is computed: `trap-set-2` appears only once it ran.
    const script = "trap '' TERM; echo trap-set-$((1 + 1)); while :; do sleep 0.1; done";
    const stubborn = startProcess({ name: 'stubborn', command: 'sh', args: ['-c', script], logFile });
    await eventually(async () => (await readFile(logFile, 'utf8')).includes('trap-set-2'), 'the trap to be set');
    const status = await stubborn.stop({ timeoutMs: 300 });
    expect(status).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isAlive(stubborn.pid)).toBe(false);
  });
});
