// Polls a server's readiness until a deadline, failing fast when its process exits.
import { setTimeout as sleep } from 'node:timers/promises';
import { type ExitStatus, logTail, type ManagedProcess } from './process.js';
import { TestingError } from './errors.js';

/** Resolves to undefined when ready, or to why not yet (an HTTP status and body, a connection error). */
export type ReadinessProbe = (timeoutMs: number) => Promise<string | undefined>;

/** A server's process ended before it was ready; the message has the tail of its log. */
export class ProcessExitedError extends TestingError {
  override name = 'ProcessExitedError';
  readonly code = 'PROCESS_EXITED';
  readonly process: string;
  readonly exitStatus: ExitStatus;
  readonly logFile: string;

  constructor(name: string, status: ExitStatus, logFile: string) {
    const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
    super(`${name} ${how} before it was ready. Log: ${logFile}\n${indent(logTail(logFile))}`);
    this.process = name;
    this.exitStatus = status;
    this.logFile = logFile;
  }
}

/** A server did not become ready in time; `logFiles` tell why. */
export class StartTimeoutError extends TestingError {
  override name = 'StartTimeoutError';
  readonly code = 'START_TIMEOUT';
  readonly component: string;
  readonly timeoutMs: number;
  /** The last answer of the readiness probe. */
  readonly lastReason: string;
  readonly logFiles: string[];

  constructor(component: string, timeoutMs: number, lastReason: string, logFiles: string[], logFile: string) {
    super(
      `${component} was not ready within ${timeoutMs} ms (raise startTimeoutMs on slow machines). ` +
        `Last check: ${lastReason}\nLogs: ${logFiles.join(', ')}\nLast lines of ${logFile}:\n` +
        indent(logTail(logFile, 15)),
    );
    this.component = component;
    this.timeoutMs = timeoutMs;
    this.lastReason = lastReason;
    this.logFiles = logFiles;
  }
}

export interface WaitOptions {
  process: ManagedProcess;
  probe: ReadinessProbe;
  /** Epoch ms after which to give up. */
  deadline: number;
  /** For the timeout message. */
  timeoutMs: number;
  /** All logs worth reading when it fails. */
  logFiles: string[];
  /** Defaults to 100. */
  intervalMs?: number;
}

/** Resolves once `probe` says ready; rejects with ProcessExitedError or StartTimeoutError. */
export async function waitUntilReady(options: WaitOptions): Promise<void> {
  const { process: proc } = options;
  let lastReason = 'not checked yet';
  for (;;) {
    if (proc.exitStatus) throw new ProcessExitedError(proc.name, proc.exitStatus, proc.logFile);
    const remaining = options.deadline - Date.now();
    if (remaining <= 0)
      throw new StartTimeoutError(proc.name, options.timeoutMs, lastReason, options.logFiles, proc.logFile);
    try {
      const reason = await options.probe(Math.min(2_000, remaining));
      if (reason === undefined) return;
      lastReason = reason;
    } catch (error) {
      lastReason = describeError(error);
    }
    await Promise.race([
      sleep(Math.min(options.intervalMs ?? 100, Math.max(0, options.deadline - Date.now()))),
      proc.exited,
    ]);
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  // AggregateError (IPv4 + IPv6 attempts) has an empty message.
  return error.message || code || error.name;
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
