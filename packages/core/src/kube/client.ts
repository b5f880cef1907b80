// A small HTTP client for the API server: one connection pool, credentials cached for their lifetime, timeouts,
// named errors. Requests go through undici's Dispatcher.request (no fetch: no web streams or AbortController per call).
import type { Dispatcher } from 'undici';
import { ApiServerAuth, type Credential } from './auth.js';
import {
  isCertificateErrorCode,
  KubeApiError,
  KubeConnectionError,
  KubeTlsError,
  type StatusDetails,
} from './errors.js';
import type { KubeConfigLike } from './kubeconfig.js';
import type { Transport } from './transport.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  /** Defaults to the client's `requestTimeoutMs`: how long to wait for the answer's headers, and then between chunks of its body. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A watch's answer: the body, read as it streams. */
export interface StreamResponse {
  readonly status: number;
  readonly body: AsyncIterable<Uint8Array> | null;
}

export const MERGE_PATCH = 'application/merge-patch+json';

type Body = Dispatcher.ResponseData['body'];

export class KubeClient {
  // One pool of connections for every request (client-node 2.0.1 builds a new undici Agent, TLS context
  // included, per request); authentication computed once per credential lifetime.
  private auth: ApiServerAuth | undefined;
  private pool: { dispatcher: Dispatcher; transport: Transport } | undefined;
  private endpoint: { server: string; origin: string; basePath: string } | undefined;

  /** `kubeConfig`: kubeop's `loadKubeConfig()` result, or a client-node `KubeConfig`; its current context is used. */
  constructor(
    readonly kubeConfig: KubeConfigLike,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  get server(): string {
    return this.resolveEndpoint().server;
  }

  /** How many times credentials were obtained so far (exec plugin runs, token file reads, ...). */
  get credentialFetches(): number {
    return this.auth?.fetches ?? 0;
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    // undici's timers take whole milliseconds.
    const timeoutMs = Math.max(1, Math.ceil(options.timeoutMs ?? this.requestTimeoutMs));
    let statusCode: number;
    let text: string;
    try {
      const sent = await this.send(method, path, options, 'pooled', timeoutMs);
      statusCode = sent.statusCode;
      text = await this.readText(sent.body, method, path, options, timeoutMs);
    } catch (error) {
      // A timed-out request's connection is closed by undici; others in the pool may be half-dead too (no answer,
      // no reset), and every later request would wait on them in turn. Start over with fresh connections.
      if ((error as Error).name === 'TimeoutError') this.resetPool();
      throw error;
    }
    if (statusCode >= 300) throw apiError(statusCode, method, path, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Opens a streaming GET (a watch) on a connection of its own; the caller reads `body`, aborts through
   * `signal` and must call `close()`, which tears the connection down even when the peer went silent.
   */
  async stream(
    path: string,
    query: Query,
    signal: AbortSignal,
  ): Promise<{ response: StreamResponse; close: () => void }> {
    const { statusCode, body, dispatcher } = await this.send('GET', path, { query, signal }, 'own');
    const close = () => void dispatcher.destroy().catch(() => undefined);
    if (statusCode >= 300) {
      const text = await body.text().catch(() => '');
      close();
      throw apiError(statusCode, 'WATCH', path, text);
    }
    return { response: { status: statusCode, body }, close };
  }

  private async readText(body: Body, method: string, path: string, options: RequestOptions, timeoutMs: number) {
    try {
      return await body.text();
    } catch (error) {
      throw this.failure(error, method, path, options, timeoutMs);
    }
  }

  private resetPool(): void {
    void this.pool?.dispatcher.destroy().catch(() => undefined);
    this.pool = undefined;
  }

  /** The shared pool for this transport; a new transport (an exec plugin's new client certificate) replaces it. */
  private pooled(transport: Transport): Dispatcher {
    if (this.pool?.transport !== transport) {
      // Requests in flight on the old pool finish on it.
      void this.pool?.dispatcher.close().catch(() => undefined);
      this.pool = { dispatcher: transport.dispatcher(), transport };
    }
    return this.pool.dispatcher;
  }

  private resolveEndpoint(): { server: string; origin: string; basePath: string } {
    if (!this.endpoint) {
      const cluster = this.kubeConfig.getCurrentCluster();
      if (!cluster) throw new Error('The kubeconfig has no current cluster');
      const server = cluster.server.replace(/\/$/, '');
      // A server URL may carry a path prefix (a proxy in front of several clusters).
      const url = new URL(server);
      this.endpoint = { server, origin: url.origin, basePath: url.pathname.replace(/\/$/, '') };
    }
    return this.endpoint;
  }

  /**
   * `connection`: 'pooled' shares the client's pool; 'own' opens a dispatcher for this request alone, returned
   * for the caller to destroy. A 401 drops the credential and, when a fresh one may differ, retries once.
   * `timeoutMs` bounds the wait for headers and each pause in the body; a watch has none (its watchdog aborts it).
   */
  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    connection: 'pooled' | 'own',
    timeoutMs?: number,
  ): Promise<{ statusCode: number; body: Body; dispatcher: Dispatcher }> {
    const { origin, basePath } = this.resolveEndpoint();
    const fullPath = basePath + path + queryString(options.query);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    // The kubeconfig's current context at the first request: files read, TLS context built, once.
    this.auth ??= new ApiServerAuth(this.kubeConfig);
    for (let attempt = 1; ; attempt++) {
      const credential = await this.auth.credential();
      const dispatcher =
        connection === 'pooled' ? this.pooled(credential.transport) : credential.transport.dispatcher();
      let answer: Dispatcher.ResponseData;
      try {
        answer = await dispatcher.request({
          origin,
          path: fullPath,
          method: method as Dispatcher.HttpMethod,
          headers: headersFor(credential, body === undefined ? undefined : (options.contentType ?? 'application/json')),
          body,
          signal: options.signal,
          ...(timeoutMs === undefined ? {} : { headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
        });
      } catch (error) {
        if (connection === 'own') void dispatcher.destroy().catch(() => undefined);
        throw this.failure(error, method, path, options, timeoutMs);
      }
      if (answer.statusCode === 401 && attempt === 1 && this.auth.invalidate(credential)) {
        // Revoked or expired before its time: drop it and try once more with a fresh one.
        await answer.body.dump().catch(() => undefined);
        if (connection === 'own') void dispatcher.destroy().catch(() => undefined);
        continue;
      }
      return { statusCode: answer.statusCode, body: answer.body, dispatcher };
    }
  }

  /** What a failed request throws: the caller's abort reason, a timeout, or a named connection or TLS error. */
  private failure(error: unknown, method: string, path: string, options: RequestOptions, timeoutMs?: number): unknown {
    if (options.signal?.aborted) return options.signal.reason ?? error;
    const code = errorCode(error);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      // The name fetch's AbortSignal.timeout gave, which callers and isTransient know.
      return new DOMException(
        `${method} ${path}: no answer from the API server within ${timeoutMs} ms`,
        'TimeoutError',
      );
    }
    const url = this.server + path + queryString(options.query);
    if (isCertificateErrorCode(code)) return new KubeTlsError(method, url, code, { cause: error });
    return new KubeConnectionError(method, url, code, { cause: error });
  }

  /**
   * Lets requests in flight finish for up to `graceMs`, then cuts the connections: a request stuck on a
   * half-dead connection (or from a handler abandoned at shutdown) must not hold the process up.
   */
  async close(graceMs = 2_000): Promise<void> {
    const dispatcher = this.pool?.dispatcher;
    if (!dispatcher) return;
    let timer: NodeJS.Timeout | undefined;
    const graceful = dispatcher.close().then(
      () => true,
      () => true,
    );
    const done = await Promise.race([
      graceful,
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!done) await dispatcher.destroy().catch(() => undefined);
  }
}

/** The headers of one request; the credential's own object is shared when nothing is added but `accept`. */
const headersCache = new WeakMap<Credential, Record<string, string>>();
function headersFor(credential: Credential, contentType: string | undefined): Record<string, string> {
  let plain = headersCache.get(credential);
  if (!plain) {
    plain = { ...credential.headers, accept: 'application/json' };
    headersCache.set(credential, plain);
  }
  return contentType === undefined ? plain : { ...plain, 'content-type': contentType };
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  let text = '';
  for (const name in query) {
    const value = query[name];
    if (value === undefined) continue;
    text += `${text ? '&' : '?'}${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`;
  }
  return text;
}

/** The code of a network or TLS failure: on the error itself (undici, Node sockets) or on its cause. */
function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | undefined)?.code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof cause === 'string' ? cause : undefined;
}

function apiError(status: number, verb: string, path: string, text: string): KubeApiError {
  let reason: string | undefined;
  let message: string | undefined;
  let details: StatusDetails | undefined;
  let isStatus = false;
  try {
    const parsed = JSON.parse(text) as { kind?: string; reason?: string; message?: string; details?: StatusDetails };
    reason = parsed.reason;
    message = parsed.message;
    details = parsed.details;
    isStatus = parsed.kind === 'Status';
  } catch {
    message = text.slice(0, 200) || undefined;
  }
  return new KubeApiError(status, verb, path, reason, message, details, isStatus);
}
