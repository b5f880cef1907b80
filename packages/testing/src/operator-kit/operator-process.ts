// Runs an operator's compiled main.js as a child process, the way users run it, collecting its output.
import { type ChildProcess, spawn } from 'node:child_process';
import { eventually } from '../eventually.js';
import type { ExitStatus } from '../process.js';

export interface SpawnOperatorOptions {
  /** Command-line arguments after the script. */
  args?: string[];
  /**
   * Added to a minimal environment (PATH, and HOME pointing nowhere so no ~/.kube/config is found). Metrics and probe
   * servers are off (`KUBEOP_METRICS_BIND_ADDRESS=0`, `KUBEOP_HEALTH_PROBE_BIND_ADDRESS=0`) unless set here; admission
   * webhooks (if the operator has any) listen on a free loopback port and are registered there
   * (`KUBEOP_WEBHOOK_BIND_ADDRESS=127.0.0.1:0`, `KUBEOP_INSTALL_WEBHOOKS=true`).
   */
  env?: NodeJS.ProcessEnv;
}

export interface OperatorProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  /** Resolves once the output matches; fails after `timeoutMs` (default 30000) showing the output so far. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Settles when the process has exited (never rejects). */
  exited: Promise<ExitStatus>;
  /** Sends `signal` (default SIGTERM) and resolves with how it exited; SIGKILL after `timeoutMs` (default 30000). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitStatus>;
}

const children = new Set<ChildProcess>();

/** Starts `node <script> ...args` with the Node.js running the test. Kill leftovers with `killOperatorProcesses()`. */
export function spawnOperator(script: string, options: SpawnOperatorOptions = {}): OperatorProcess {
  const env = {
    PATH: process.env.PATH,
    HOME: '/nonexistent-home',
    KUBEOP_METRICS_BIND_ADDRESS: '0',
    KUBEOP_HEALTH_PROBE_BIND_ADDRESS: '0',
    KUBEOP_WEBHOOK_BIND_ADDRESS: '127.0.0.1:0',
    KUBEOP_INSTALL_WEBHOOKS: 'true',
    ...options.env,
  };
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let text = '';
  child.stdout!.on('data', (chunk) => (text += String(chunk)));
  child.stderr!.on('data', (chunk) => (text += String(chunk)));
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      children.delete(child);
      text += `failed to start: ${error.message}\n`;
      resolve({ code: 127, signal: null });
    });
  });
  return {
    child,
    output: () => text,
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      await eventually(() => pattern.test(text), `output matching ${pattern}; output so far:\n${text}`, timeoutMs);
    },
    exited,
    stop: async (signal = 'SIGTERM', timeoutMs = 30_000) => {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** SIGKILLs every operator process a test left behind (call it in `afterAll`, or `afterEach`). */
export function killOperatorProcesses(): void {
  for (const child of children) child.kill('SIGKILL');
}
