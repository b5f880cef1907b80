// An HTTP server on a bind address written as controller-runtime's flags take it (`:8080`, `127.0.0.1:8081`,
// `[::1]:8080`, `0` = off); a bad address or a failed listen is a BindError naming the flag.
import type { RequestListener, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { KubeopError } from '../../errors.js';

// Not an ES module import of node:http, which would read its lazy WebSocket getters and load Node's bundled undici
// (about 7 MB of RSS; see kube/transport.ts).
const { createServer } = process.getBuiltinModule('node:http');

/** The address of a flag could not be parsed or listened on; the message names the flag and says what to do. */
export class BindError extends KubeopError {
  override readonly name = 'BindError';
  readonly code = 'BIND_FAILED';
  constructor(
    readonly flag: string,
    readonly address: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${flag} ${JSON.stringify(address)}: ${problem}`, options);
  }
}

export interface BindAddress {
  /** undefined: every interface (IPv6 and IPv4 where the system allows both). */
  host: string | undefined;
  /** 0 asks the system for a free port (tests). */
  port: number;
}

/** Parses `host:port`, `:port` or `[ipv6]:port`; `0` and the empty string turn the server off (undefined). */
export function parseBindAddress(address: string, flag: string): BindAddress | undefined {
  const value = address.trim();
  if (value === '0' || value === '') return undefined;
  const fail = (problem: string): never => {
    throw new BindError(
      flag,
      address,
      `${problem}; expected host:port, :port or [ipv6]:port (e.g. ":8080"), or 0 to turn it off`,
    );
  };
  const colon = value.lastIndexOf(':');
  if (colon < 0) fail('no port');
  let host = value.slice(0, colon);
  const portText = value.slice(colon + 1);
  if (host.startsWith('[') !== host.endsWith(']')) fail('unbalanced brackets');
  if (host.startsWith('[')) {
    host = host.slice(1, -1);
    if (isIP(host) !== 6) fail(`${JSON.stringify(host)} is not an IPv6 address`);
  } else if (host.includes(':')) fail('an IPv6 address must be in brackets, as [::1]:8080');
  else if (host && !/^[A-Za-z0-9.-]+$/.test(host)) fail(`${JSON.stringify(host)} is not a host name or IP address`);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    fail(`the port ${JSON.stringify(portText)} is not a number from 0 to 65535`);
  return { host: host || undefined, port: Number(portText) };
}

export interface StartedServer {
  /** Where it listens, as `host:port` (the port the system chose when asked for 0). */
  readonly address: string;
  readonly port: number;
  /** Stops listening and cuts open connections (a scrape in progress must not hold up a shutdown). */
  close(): Promise<void>;
}

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE:
    'the address is already in use (another process listens on that port); choose another port, or 0 to turn it off',
  EADDRNOTAVAIL: 'no network interface of this machine has that address',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  ENOTFOUND: 'the host name cannot be resolved',
  EAI_AGAIN: 'the host name cannot be resolved',
};

/** Listens on `address` (undefined when it is `0`); rejects with a BindError naming `flag`. */
export async function startHttpServer(
  address: string,
  flag: string,
  listener: RequestListener,
): Promise<StartedServer | undefined> {
  if (!parseBindAddress(address, flag)) return undefined;
  const server = createServer(listener);
  // Probes and scrapes are small: a client that stalls must not hold a socket for minutes.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const bound = await listenOn(server, address, flag);
  return { ...bound, close: () => closeServer(server) };
}

/** Has any HTTP(S) server listen on the flag's `address` (not `0`); rejects with a BindError naming `flag`. */
export async function listenOn(
  server: Server,
  address: string,
  flag: string,
): Promise<{ address: string; port: number }> {
  const bind = parseBindAddress(address, flag);
  if (!bind) throw new BindError(flag, address, 'the server is turned off (0)');
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const problem = LISTEN_PROBLEMS[error.code ?? ''] ?? `cannot listen: ${error.message}`;
      reject(new BindError(flag, address, problem, { cause: error }));
    });
    server.listen({ host: bind.host, port: bind.port }, resolve);
  });
  server.on('error', () => {}); // after listening, errors belong to single connections
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : bind.port;
  const host = bind.host ?? '';
  return { address: `${host.includes(':') ? `[${host}]` : host}:${port}`, port };
}

/** Stops listening and cuts open connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Answers with a plain-text body. */
export function plain(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  response.end(body);
}
