// Runs a server binary with its output in a log file, and makes sure it dies with this process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/** How a process ended: an exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A server process started by {@link startProcess}. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Undefined while it runs. */
  readonly exitStatus: ExitStatus | undefined;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  /** SIGTERM (or `signal`), then SIGKILL after `timeoutMs` (default 10000); resolves once it has exited. */
  stop(options?: { signal?: 'SIGTERM' | 'SIGKILL'; timeoutMs?: number }): Promise<ExitStatus>;
  /** Sends SIGKILL to its process group without waiting (for synchronous exit hooks). */
  kill(): void;
}

/** A server exited while it was expected to run. */

export interface StartProcessOptions {
  /** For messages, e.g. `etcd`. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

const running = new Set<ManagedProcess>();
let exitHookInstalled = false;
let pdeathsigWrapper: boolean | undefined;

/**
 * Starts `command` in its own process group with output to `logFile`. It is killed with SIGKILL if this process dies,
 * even by SIGKILL (through `setpriv --pdeathsig` where util-linux has it), and on a normal exit (an 'exit' hook).
 */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  installExitHook();
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    writeSync(log, `--- ${new Date().toISOString()} ${options.command} ${options.args.join(' ')}\n`);
    const wrap = hasPdeathsig();
    const command = wrap ? 'setpriv' : options.command;
    const args = wrap ? ['--pdeathsig', 'SIGKILL', '--', options.command, ...options.args] : options.args;
    // detached: a process group of its own, so stop() reaches children of wrapper scripts, and a terminal's Ctrl-C
    // does not kill the servers before teardown can stop them in order.
    child = spawn(command, args, {
      stdio: ['ignore', log, log],
      env: options.env ?? process.env,
      detached: true,
    });
  } finally {
    closeSync(log);
  }
  // A forgotten stop() must not keep the test process alive; the exit hook still kills the server.
  child.unref();

  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve((exitStatus = { code, signal })));
    child.once('error', (error) => {
      writeSafely(options.logFile, `failed to start: ${error.message}\n`);
      resolve((exitStatus = { code: 127, signal: null }));
    });
  });
  const pid = child.pid ?? -1;

  const managed: ManagedProcess = {
    name: options.name,
    pid,
    logFile: options.logFile,
    get exitStatus() {
      return exitStatus;
    },
    exited,
    async stop({ signal = 'SIGTERM', timeoutMs = 10_000 } = {}) {
      if (exitStatus) return exitStatus;
      // Keeps the event loop alive until the (unref'd) child is reaped.
      const keepAlive = setInterval(() => undefined, 1_000);
      try {
        killGroup(pid, signal);
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), timeoutMs);
        const status = await exited;
        clearTimeout(timer);
        return status;
      } finally {
        clearInterval(keepAlive);
      }
    },
    kill() {
      if (!exitStatus) killGroup(pid, 'SIGKILL');
    },
  };
  running.add(managed);
  void exited.then(() => {
    running.delete(managed);
    // The server may have left children in its group (those of a wrapper script, say).
    killGroup(pid, 'SIGKILL');
  });
  return managed;
}

/** The last `lines` lines of a log file, or a note that it could not be read. */
export function logTail(file: string, lines = 20): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n') || '(the log is empty)';
  } catch (error) {
    return `(could not read the log: ${(error as Error).message})`;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function writeSafely(file: string, text: string): void {
  try {
    const fd = openSync(file, 'a');
    writeSync(fd, text);
    closeSync(fd);
  } catch {
    // the error is reported through the exit status anyway
  }
}

// setpriv execs the binary, so the pid we hold is the server's own; PR_SET_PDEATHSIG survives that exec.
function hasPdeathsig(): boolean {
  if (pdeathsigWrapper === undefined) {
    const help = process.platform === 'linux' ? spawnSync('setpriv', ['--help'], { encoding: 'utf8' }) : undefined;
    pdeathsigWrapper = help?.status === 0 && help.stdout.includes('--pdeathsig');
  }
  return pdeathsigWrapper;
}

// Second line of defence for a normal exit (process.exit, end of the event loop) without stop().
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const managed of running) managed.kill();
  });
}
