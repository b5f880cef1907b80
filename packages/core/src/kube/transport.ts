// Connections to the API server with one TLS configuration, the secure context built once: kubeop's own keep-alive
// pool for requests with a whole answer (http1/), Node's agents for the watches' streams, undici (loaded only then)
// for a kubeconfig's proxy-url.
import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, connect as tlsConnect } from 'node:tls';
import { KubeConfigError } from './config.js';
import { KubeCredentialError } from './errors.js';
import type { Dispatcher } from 'undici';
import type { Answer, Connections, Exchange } from './connections.js';
import { SilentServerError } from './connections.js';
import { KeepAlivePool } from './http1/keep-alive-pool.js';
import type { Cluster } from './kubeconfig.js';

// Not `import … from 'node:http'`: an ES module import of node:http reads every export, and its lazy WebSocket
// getters load Node's bundled undici (with http2, zlib, web streams): about 7 MB of RSS for nothing.
const { Agent: PlainAgent, request: httpRequest } = process.getBuiltinModule('node:http');
const { finished } = process.getBuiltinModule('node:stream');

/** The TLS material of one transport: the cluster's CA and the user's client certificate and key (PEM). */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer | string;
  key?: Buffer | string;
}

/**
 * Connections to the API server with one TLS configuration. The secure context (CA parsed, key loaded) is built
 * once and shared by every connection made here: the pool's and the watches'.
 */
export class Transport {
  private readonly tls: { secureContext: SecureContext; rejectUnauthorized?: boolean; servername?: string };
  private readonly server: URL;
  private watchAgent: HttpAgent | undefined;
  /** The last TLS session the server gave, resumed by the pool's next connection. */
  private session: Buffer | undefined;

  constructor(
    private readonly cluster: Cluster,
    tls: TlsMaterial,
  ) {
    let secureContext: SecureContext;
    try {
      secureContext = createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key });
    } catch (error) {
      throw new KubeCredentialError(
        `the TLS material of cluster "${cluster.name}" (certificate authority, client certificate or key) cannot be used: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.tls = {
      secureContext,
      ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
      ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
    };
    const server = URL.canParse(cluster.server) ? new URL(cluster.server) : undefined;
    if (server?.protocol !== 'https:' && server?.protocol !== 'http:') {
      throw new KubeConfigError(`The server of cluster "${cluster.name}" is not an https:// URL: ${cluster.server}`);
    }
    this.server = server;
  }

  /** The shared pool: connections kept alive and reused, for every request but the watches. */
  pool(): Connections {
    if (this.cluster.proxyUrl) return new ProxiedConnections(this.cluster.proxyUrl, this.server, this.tls);
    return new KeepAlivePool(() => this.connect(), this.server.host, pathPrefix(this.server));
  }

  /** A connection for one watch, torn down alone when it ends; the watches share a TLS session cache. */
  own(): Connections {
    if (this.cluster.proxyUrl) return new ProxiedConnections(this.cluster.proxyUrl, this.server, this.tls);
    if (!this.watchAgent) {
      const options = { keepAlive: false, keepAliveMsecs: 30_000 };
      this.watchAgent =
        this.server.protocol === 'https:' ? new HttpsAgent({ ...options, ...this.tls }) : new PlainAgent(options);
    }
    return new NodeConnections(this.server, this.watchAgent);
  }

  /** A new connection of the pool. Keep-alive probes after 30 s, as client-node and client-go, ahead of load
   * balancers' idle timeouts. */
  private connect(): Socket {
    const host = this.server.hostname.replace(/^\[(.*)\]$/, '$1');
    const secure = this.server.protocol === 'https:';
    const port = Number(this.server.port) || (secure ? 443 : 80);
    let socket: Socket;
    if (secure) {
      const servername = this.tls.servername ?? (isIP(host) ? undefined : host);
      const tls = tlsConnect({ host, port, ...this.tls, servername, session: this.session });
      tls.on('session', (session: Buffer) => (this.session = session));
      socket = tls;
    } else {
      socket = tcpConnect({ host, port });
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    return socket;
  }
}

/** The path the API server is served under (a kubeconfig's server URL may have one), without its trailing slash. */
function pathPrefix(server: URL): string {
  return server.pathname.replace(/\/$/, '');
}

/** A watch's requests through Node's http(s) agent, shared by the watches (which destroy only their own requests). */
class NodeConnections implements Connections {
  private readonly request: typeof httpRequest;
  /** The server's host without IPv6 brackets and its path prefix, computed once rather than per request. */
  private readonly hostname: string;
  private readonly prefix: string;
  /** The Host header as Node writes it (port left out when it is the scheme's default). */
  private readonly host: string;
  private readonly inFlight = new Set<ClientRequest>();
  private drained: (() => void) | undefined;

  constructor(
    private readonly server: URL,
    private readonly agent: HttpAgent,
  ) {
    this.request = server.protocol === 'https:' ? httpsRequest : httpRequest;
    this.hostname = server.hostname.replace(/^\[(.*)\]$/, '$1');
    this.prefix = pathPrefix(server);
    this.host = server.host;
  }

  send(exchange: Exchange): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const { server } = this;
      const request = this.request({
        agent: this.agent,
        protocol: server.protocol,
        hostname: this.hostname,
        port: server.port,
        path: this.prefix + exchange.path,
        method: exchange.method,
        headers: this.rawHeaders(exchange),
        signal: exchange.signal,
      });
      this.inFlight.add(request);
      request.once('close', () => {
        this.inFlight.delete(request);
        if (this.inFlight.size === 0) this.drained?.();
      });
      if (exchange.timeoutMs !== undefined) {
        const ms = exchange.timeoutMs;
        request.setTimeout(ms, () =>
          request.destroy(new SilentServerError(`no answer from the API server within ${ms} ms`)),
        );
      }
      // Every error: a second one (the socket dying after the first) must find a listener too.
      request.on('error', reject);
      request.once('response', (response: IncomingMessage) => resolve(nodeAnswer(response)));
      request.end(exchange.body);
    });
  }

  /**
   * The headers as a flat list, which Node writes as they are rather than storing each through setHeader (and
   * which therefore must carry Host).
   */
  private rawHeaders(exchange: Exchange): string[] {
    const raw = ['Host', this.host];
    const { headers } = exchange;
    for (const name in headers) raw.push(name, headers[name]!);
    if (exchange.body !== undefined) raw.push('content-length', String(Buffer.byteLength(exchange.body)));
    return raw;
  }

  async close(): Promise<void> {
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
  }

  destroy(): void {
    for (const request of this.inFlight) request.destroy();
  }
}

function nodeAnswer(response: IncomingMessage): Answer {
  return {
    statusCode: response.statusCode ?? 0,
    body: response,
    // Data events and stream.finished (what the async iterator waits on, so the same errors) without the
    // iterator's promise per chunk.
    text() {
      return new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        finished(response, (error) => {
          if (error) reject(error);
          else resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
        });
      });
    },
    discard() {
      response.resume();
    },
  };
}

/** A kubeconfig's proxy-url through undici, which proxies http, https and socks5 as kubectl does; loaded only here. */
class ProxiedConnections implements Connections {
  private dispatcher: Promise<Dispatcher> | undefined;
  private readonly prefix: string;

  constructor(
    private readonly proxy: string,
    private readonly server: URL,
    private readonly tls: Record<string, unknown>,
  ) {
    this.prefix = pathPrefix(server);
  }

  private get agent(): Promise<Dispatcher> {
    this.dispatcher ??= import('undici').then(
      ({ ProxyAgent }) => new ProxyAgent({ uri: this.proxy, requestTls: this.tls }),
    );
    return this.dispatcher;
  }

  async send(exchange: Exchange): Promise<Answer> {
    const answer = await (
      await this.agent
    )
      .request({
        origin: this.server.origin,
        path: this.prefix + exchange.path,
        method: exchange.method as Dispatcher.HttpMethod,
        headers: exchange.headers,
        body: exchange.body,
        signal: exchange.signal,
        ...(exchange.timeoutMs === undefined
          ? {}
          : { headersTimeout: exchange.timeoutMs, bodyTimeout: exchange.timeoutMs }),
      })
      .catch((error: unknown) => {
        throw silentOr(error, exchange.timeoutMs);
      });
    return {
      statusCode: answer.statusCode,
      body: answer.body,
      text: () =>
        answer.body.text().catch((error: unknown) => {
          throw silentOr(error, exchange.timeoutMs);
        }),
      discard: () => void answer.body.dump().catch(() => undefined),
    };
  }

  async close(): Promise<void> {
    if (this.dispatcher) await (await this.dispatcher).close();
  }

  destroy(): void {
    void this.dispatcher?.then((dispatcher) => dispatcher.destroy()).catch(() => undefined);
  }
}

function silentOr(error: unknown, timeoutMs: number | undefined): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new SilentServerError(`no answer from the API server within ${timeoutMs} ms`, { cause: error });
  }
  return error;
}
