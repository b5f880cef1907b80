// Runs an operator as a child process (the way users run it), collecting its output.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '@kubeop/testing';

/** The compiled TestObject sample: `npm test` builds it before jest runs. */
export const SAMPLE_MAIN = fileURLToPath(new URL('../../../../samples/test-object/dist/main.js', import.meta.url));

export interface OperatorProcess {
  child: ChildProcess;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

export function spawnOperator(script: string, args: string[], env: NodeJS.ProcessEnv = {}): OperatorProcess {
  const child = spawn(process.execPath, [script, ...args], {
    // Servers off unless a test turns them on: operators run side by side here.
    env: { PATH: process.env.PATH, HOME: '/nonexistent-home', KUBEOP_METRICS_BIND_ADDRESS: '0', KUBEOP_HEALTH_PROBE_BIND_ADDRESS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let text = '';
  child.stdout!.on('data', (chunk) => (text += String(chunk)));
  child.stderr!.on('data', (chunk) => (text += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    output: () => text,
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      await eventually(() => pattern.test(text), `output matching ${pattern}; output so far:\n${text}`, timeoutMs);
    },
    exited,
  };
}

/** Kills children a test left behind (call in afterAll). */
export function killAllOperators(): void {
  for (const child of children) child.kill('SIGKILL');
}
