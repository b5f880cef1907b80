// /healthz and /readyz in controller-runtime's format: named checks, `[-]name failed: reason` lines on failure,
// `?verbose` to list every check, `?exclude=name`, `/healthz/<name>` for one check; plus an event-loop liveness check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { plain, startHttpServer, type StartedServer } from './http-server.js';
import { describeError } from '../util/describe-error.js';

/** A named probe check: true when healthy, else the reason it is not. A check that throws fails with its message. */
export interface Check {
  name: string;
  check: () => true | string;
}

type Checks = readonly Check[] | (() => readonly Check[]);

export interface ProbeServerOptions {
  /** Liveness checks of /healthz, read at each request (so a function or a growing array both work). */
  healthz?: Checks;
  /** Readiness checks of /readyz. */
  readyz?: Checks;
  /** The built-in `event-loop` check of /healthz; false leaves it out. Defaults to {@link eventLoopCheck}'s defaults. */
  eventLoop?: false | EventLoopCheckOptions;
  /** Named in a BindError. Defaults to `--health-probe-bind-address`. */
  flag?: string;
}

/** Serves /healthz and /readyz on `address` (`0`: not started, undefined); rejects with a BindError. */
export async function startProbeServer(
  address: string,
  options: ProbeServerOptions = {},
): Promise<StartedServer | undefined> {
  const loop = options.eventLoop === false ? undefined : eventLoopCheck(options.eventLoop);
  const list = (checks: Checks | undefined): readonly Check[] =>
    typeof checks === 'function' ? checks() : (checks ?? []);
  const endpoints: Record<string, () => readonly Check[]> = {
    healthz: () => (loop ? [loop, ...list(options.healthz)] : list(options.healthz)),
    readyz: () => list(options.readyz),
  };
  try {
    const server = await startHttpServer(
      address,
      options.flag ?? '--health-probe-bind-address',
      (request, response) => {
        const url = new URL(request.url ?? '/', 'http://x');
        const [endpoint, name, ...rest] = url.pathname.split('/').filter(Boolean);
        const checks = endpoints[endpoint ?? '']?.();
        if (!checks || rest.length) return plain(response, 404, 'not found: probes are at /healthz and /readyz\n');
        if (request.method !== 'GET' && request.method !== 'HEAD')
          return plain(response, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
        if (name === undefined) return serveAll(endpoint!, checks, url, response);
        const one = checks.find((c) => c.name === name);
        if (!one) return plain(response, 404, `no check named ${JSON.stringify(name)}\n`);
        const result = run(one);
        return result === true ? plain(response, 200, 'ok') : plain(response, 503, `${name} failed: ${result}\n`);
      },
    );
    if (!server) loop?.stop();
    return server && { ...server, close: () => (loop?.stop(), server.close()) };
  } catch (error) {
    loop?.stop();
    throw error;
  }
}

function run(check: Check): true | string {
  try {
    const result = check.check();
    return result === true ? true : String(result).replace(/\s+/g, ' ');
  } catch (error) {
    return `threw: ${describeError(error)}`.replace(/\s+/g, ' ');
  }
}

function serveAll(
  endpoint: string,
  checks: readonly Check[],
  url: URL,
  response: ServerResponse<IncomingMessage>,
): void {
  const excluded = new Set(url.searchParams.getAll('exclude'));
  const lines: string[] = [];
  let failed = false;
  for (const c of [...checks].sort((a, b) => a.name.localeCompare(b.name))) {
    if (excluded.delete(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    const result = run(c);
    if (result !== true) failed = true;
    lines.push(result === true ? `[+]${c.name} ok` : `[-]${c.name} failed: ${result}`);
  }
  if (checks.length === 0) lines.push('[+]ping ok');
  if (!failed && !url.searchParams.has('verbose')) return plain(response, 200, 'ok');
  const unknown = [...excluded].map((n) => JSON.stringify(n)).join(',');
  if (unknown) lines.push(`warn: some health checks cannot be excluded: no matches for ${unknown}`);
  lines.push(`${endpoint} check ${failed ? 'failed' : 'passed'}`);
  // 503 rather than controller-runtime's 500: the process answers, it is just not healthy or not ready.
  plain(response, failed ? 503 : 200, `${lines.join('\n')}\n`);
}

export interface EventLoopCheckOptions {
  /** A timer this late means the loop was blocked. Defaults to 10 000 ms. */
  maxDelayMs?: number;
  /** How long a block is reported after it ended. Defaults to 10 000 ms: one block fails a probe or two (no restart
   * with the kubelet's default failureThreshold 3); a process blocked again and again is restarted. */
  windowMs?: number;
  /** How often the timer ticks. Defaults to 1000 ms. */
  intervalMs?: number;
}

/**
 * The `event-loop` liveness check: a timer measures how late it fires. While the loop is blocked no probe is answered
 * at all; this reports a block that happened between probes, or timers starved right now.
 */
export function eventLoopCheck(options: EventLoopCheckOptions = {}): Check & { stop(): void } {
  const { maxDelayMs = 10_000, windowMs = 10_000, intervalMs = 1000 } = options;
  // performance.now() is monotonic: a wall-clock jump is no block.
  let expected = performance.now() + intervalMs;
  let stall: { at: number; ms: number } | undefined;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - expected > maxDelayMs) stall = { at: now, ms: now - expected };
    expected = now + intervalMs;
  }, intervalMs).unref();
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return {
    name: 'event-loop',
    check: () => {
      const now = performance.now();
      if (now - expected > maxDelayMs) return `timers run ${seconds(now - expected)} late: the event loop is blocked`;
      if (stall && now - stall.at <= windowMs)
        return `the event loop was blocked for ${seconds(stall.ms)}, ${seconds(now - stall.at)} ago`;
      return true;
    },
    stop: () => clearInterval(timer),
  };
}
