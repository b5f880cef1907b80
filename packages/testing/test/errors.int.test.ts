// Start failures name what failed and where its log is, and leave no process behind.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  ProcessExitedError,
  resolveBinaries,
  startControlPlane,
  StartTimeoutError,
  type Binaries,
} from '@kubeop/testing';
import { isAlive, tempDir, writeScript } from './support/fake-bin.js';

let real: Binaries;
let fakes: string;
let exitsAtOnce: string;
let sleepsForever: string;
const leftovers: string[] = [];

beforeAll(async () => {
  real = await resolveBinaries();
  fakes = await tempDir('fakes');
  exitsAtOnce = await writeScript(fakes, 'exits-at-once', 'echo boom >&2; exit 3');
  // exec: the pid stopped is the sleep itself, not a shell that would leave it orphaned; $$ survives the exec.
  sleepsForever = await writeScript(fakes, 'sleeps-forever', `echo $$ > ${fakes}/sleeper.pid; exec sleep 600`);
});
afterAll(async () => {
  await Promise.all([fakes, ...leftovers].map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The control plane folder of a failed start, from its log path (`<dir>/logs/<name>.log`); kept for its logs. */
function planeDir(logFile: string): string {
  const dir = dirname(dirname(logFile));
  leftovers.push(dir);
  return dir;
}

/** Processes whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) ? [pid] : [];
      } catch {
        return []; // exited meanwhile
      }
    });
}

describe('start failures', () => {
  test('etcd exiting at once: its exit code, log path and last log lines', async () => {
    const error = await startControlPlane({ binaries: { ...real, etcd: exitsAtOnce } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessExitedError);
    const { message, logFile, exitStatus } = error as ProcessExitedError;
    expect(exitStatus).toEqual({ code: 3, signal: null });
    expect(message).toMatch(/^etcd exited with code 3 before it was ready\. Log: \S+\/logs\/etcd\.log\n/);
    expect(message).toContain(logFile);
    expect(message).toContain('boom');
    planeDir(logFile);
  });

  test('kube-apiserver exiting at once: etcd is stopped too, its data removed, the logs kept', async () => {
    const error = await startControlPlane({ binaries: { ...real, kubeApiServer: exitsAtOnce } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProcessExitedError);
    const { message, logFile } = error as ProcessExitedError;
    expect(message).toMatch(
      /^kube-apiserver exited with code 3 before it was ready\. Log: \S+\/logs\/kube-apiserver\.log\n/,
    );
    const dir = planeDir(logFile);
    expect(processesMentioning(dir)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['certs', 'logs']);
    expect(readdirSync(`${dir}/logs`).sort()).toEqual(['etcd.log', 'kube-apiserver.log']);
  });

  test('kube-controller-manager exiting at once: its log named, etcd and kube-apiserver stopped, the logs kept', async () => {
    const binaries = { ...real, kubeControllerManager: exitsAtOnce };
    const error = await startControlPlane({ binaries, controllerManager: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessExitedError);
    const { message, logFile } = error as ProcessExitedError;
    expect(message).toMatch(
      /^kube-controller-manager exited with code 3 before it was ready\. Log: \S+\/logs\/kube-controller-manager\.log\n/,
    );
    expect(message).toContain('boom');
    const dir = planeDir(logFile);
    expect(processesMentioning(dir)).toEqual([]);
    expect(readdirSync(`${dir}/logs`).sort()).toEqual([
      'etcd.log',
      'kube-apiserver.log',
      'kube-controller-manager.log',
    ]);
  });

  test('kube-apiserver never ready: a timeout naming the last check and the log files', async () => {
    const started = Date.now();
    const error = await startControlPlane({
      binaries: { ...real, kubeApiServer: sleepsForever },
      startTimeoutMs: 3_000,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error).toBeInstanceOf(StartTimeoutError);
    const { message, component, logFiles } = error as StartTimeoutError;
    expect(component).toBe('kube-apiserver');
    expect(message).toMatch(/^kube-apiserver was not ready within 3000 ms/);
    expect(message).toContain('ECONNREFUSED');
    expect(logFiles).toHaveLength(2);
    for (const file of logFiles) expect(message).toContain(file);
    const dir = planeDir(logFiles[0]!);
    expect(processesMentioning(dir)).toEqual([]);
    expect(isAlive(Number(readFileSync(`${fakes}/sleeper.pid`, 'utf8')))).toBe(false);
  });
});
