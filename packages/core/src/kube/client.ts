// A small HTTP client for the API server: one connection pool, credentials cached for their lifetime, timeouts,
// named errors. Requests go through Node's own keep-alive agents (no fetch: no web streams or AbortController per call).
import { ApiServerAuth, type Credential } from './auth.js';
import { endClientSpan, startClientSpan, withTraceContext } from './client-span.js';
import {
  isCertificateErrorCode,
  KubeApiError,
  KubeConnectionError,
  KubeTlsError,
  type StatusDetails,
} from './errors.js';
import type { KubeConfigLike } from './kubeconfig.js';
import type { TokenBucket } from './rate-limiter.js';
import type { Answer, Connections } from './connections.js';
import type { Transport } from './transport.js';
import { DRY_RUN_EXEMPT, type DryRun, isWrite } from './dry-run.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  /**
   * Defaults to the client's `requestTimeoutMs`: how long the server may stay silent, before the answer's headers
   * and then between chunks of its body.
   */
  /** The media type asked for. Defaults to `application/json`. */
  accept?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Whether the request waits for the client's rate limit. Defaults to `true`; the Lease's renewals do not. */
  throttle?: boolean;
  /** Goes as it is whatever {@link KubeClient.dryRun} says (see kube/dry-run.ts). */
  [DRY_RUN_EXEMPT]?: boolean;
}

/** A watch's answer: the body, read as it streams. */
export interface StreamResponse {
  readonly status: number;
  readonly body: AsyncIterable<Uint8Array> | null;
}

export const MERGE_PATCH = 'application/merge-patch+json';

/** One HTTP request to the API server, as {@link KubeClient.requestObserver} sees it once the answer's head came. */
export interface ObservedRequest {
  method: string;
  /** `host:port` of the API server. */
  host: string;
  /** The answer's status code; undefined when no answer came (connection refused, reset, timed out). */
  status: number | undefined;
  /** From sending to the answer's head (for a watch, until the stream opened). */
  seconds: number;
}

export class KubeClient {
  // One pool of connections for every request (client-node 2.0.1 builds a new undici Agent, TLS context
  // included, per request); authentication computed once per credential lifetime.
  private auth: ApiServerAuth | undefined;
  /** Called once per HTTP request (a 401 retried with a fresh credential is two), for metrics and health checks. */
  requestObserver: ((request: ObservedRequest) => void) | undefined;
  /** Client-side QPS and burst (`--kube-api-qps`): each request, and each watch as it opens, takes a token first. */
  rateLimiter: TokenBucket | undefined;
  /** Set by `--dry-run`: every write (all but GET) goes with `dryRun=All` and is reported; see kube/dry-run.ts. */
  dryRun: DryRun | undefined;
  private pool: { connections: Connections; transport: Transport } | undefined;
  private server_: string | undefined;
  private host_: string | undefined;

  /** `kubeConfig`: kubeop's `loadKubeConfig()` result, or a client-node `KubeConfig`; its current context is used. */
  constructor(
    readonly kubeConfig: KubeConfigLike,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  get server(): string {
    if (this.server_ === undefined) {
      const cluster = this.kubeConfig.getCurrentCluster();
      if (!cluster) throw new Error('The kubeconfig has no current cluster');
      this.server_ = cluster.server.replace(/\/$/, '');
    }
    return this.server_;
  }

  /** `host:port` of the API server, the `host` label of the request metrics. */
  get host(): string {
    return (this.host_ ??= new URL(this.server).host);
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
    if (this.dryRun && isWrite(method) && !options[DRY_RUN_EXEMPT])
      return this.dryRun.send(method, path, options, (marked) => this.request<T>(method, path, marked));
    // Timers take whole milliseconds.
    const timeoutMs = Math.max(1, Math.ceil(options.timeoutMs ?? this.requestTimeoutMs));
    let answer: Answer;
    let text: string;
    try {
      answer = (await this.send(method, path, options, 'pooled', timeoutMs)).answer;
      text = await answer.text().catch((error: unknown) => {
        throw this.failure(error, method, path, options);
      });
    } catch (error) {
      // The silent connection is closed; others in the pool may be half-dead too (no answer, no reset), and every
      // later request would wait on them in turn. Start over with fresh connections.
      if ((error as Error).name === 'TimeoutError' && !options.signal?.aborted) this.resetPool();
      throw error;
    }
    if (answer.statusCode >= 300) throw apiError(answer.statusCode, method, path, text);
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
    accept?: string,
  ): Promise<{ response: StreamResponse; close: () => void }> {
    const { answer, connections } = await this.send('GET', path, { query, signal, accept }, 'own');
    const close = () => connections.destroy();
    if (answer.statusCode >= 300) {
      const text = await answer.text().catch(() => '');
      close();
      throw apiError(answer.statusCode, 'WATCH', path, text);
    }
    return { response: { status: answer.statusCode, body: answer.body }, close };
  }

  private resetPool(): void {
    this.pool?.connections.destroy();
    this.pool = undefined;
  }

  /** The shared pool for this transport; a new transport (an exec plugin's new client certificate) replaces it. */
  private pooled(transport: Transport): Connections {
    if (this.pool?.transport !== transport) {
      // Requests in flight on the old pool finish on it.
      void this.pool?.connections.close().catch(() => undefined);
      this.pool = { connections: transport.pool(), transport };
    }
    return this.pool.connections;
  }

  /**
   * `connection`: 'pooled' shares the client's pool; 'own' opens connections for this request alone, returned
   * for the caller to destroy. A 401 drops the credential and, when a fresh one may differ, retries once.
   * `timeoutMs` bounds the server's silence; a watch has none (its watchdog aborts it).
   */
  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    connection: 'pooled' | 'own',
    timeoutMs?: number,
  ): Promise<{ answer: Answer; connections: Connections }> {
    if (this.rateLimiter && options.throttle !== false) await this.rateLimiter.take(method, options.signal);
    const fullPath = path + queryString(options.query);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    // The kubeconfig's current context at the first request: files read, TLS context built, once.
    this.auth ??= new ApiServerAuth(this.kubeConfig);
    for (let attempt = 1; ; attempt++) {
      const credential = await this.auth.credential();
      const connections = connection === 'pooled' ? this.pooled(credential.transport) : credential.transport.own();
      let answer: Answer;
      const sentAt = performance.now();
      const span = startClientSpan(method, this.server, fullPath);
      try {
        answer = await connections.send({
          method,
          path: fullPath,
          headers: withTraceContext(
            span,
            headersFor(
              credential,
              body === undefined ? undefined : (options.contentType ?? 'application/json'),
              options.accept,
            ),
          ),
          body,
          timeoutMs,
          signal: options.signal,
        });
        this.observe(method, answer.statusCode, sentAt);
        endClientSpan(span, answer.statusCode);
      } catch (error) {
        this.observe(method, undefined, sentAt);
        endClientSpan(span, undefined, error);
        if (connection === 'own') connections.destroy();
        throw this.failure(error, method, path, options);
      }
      if (answer.statusCode === 401 && attempt === 1 && this.auth.invalidate(credential)) {
        // Revoked or expired before its time: drop it and try once more with a fresh one.
        answer.discard();
        if (connection === 'own') connections.destroy();
        continue;
      }
      return { answer, connections };
    }
  }

  /** What a failed request throws: the caller's abort reason, a timeout as it is, or a named connection or TLS error. */
  /** Tells requestObserver of one request: its answer's status (none when no answer came) and how long it took. */
  private observe(method: string, status: number | undefined, sentAt: number): void {
    if (!this.requestObserver) return;
    this.requestObserver({ method, host: this.host, status, seconds: (performance.now() - sentAt) / 1000 });
  }

  private failure(error: unknown, method: string, path: string, options: RequestOptions): unknown {
    if (options.signal?.aborted) return options.signal.reason ?? error;
    if ((error as Error | undefined)?.name === 'TimeoutError') {
      (error as Error).message = `${method} ${path}: ${(error as Error).message}`;
      return error;
    }
    const code = errorCode(error);
    const url = this.server + path + queryString(options.query);
    if (isCertificateErrorCode(code)) return new KubeTlsError(method, url, code, { cause: error });
    return new KubeConnectionError(method, url, code, { cause: error });
  }

  /**
   * Lets requests in flight finish for up to `graceMs`, then cuts the connections: a request stuck on a
   * half-dead connection (or from a handler abandoned at shutdown) must not hold the process up.
   */
  async close(graceMs = 2_000): Promise<void> {
    this.rateLimiter?.close();
    const connections = this.pool?.connections;
    if (!connections) return;
    let timer: NodeJS.Timeout | undefined;
    const graceful = connections.close().then(
      () => true,
      () => true,
    );
    const done = await Promise.race([
      graceful,
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!done) connections.destroy();
  }
}

/** The headers of one request; the credential's own object is shared when nothing is added but `accept`. */
const headersCache = new WeakMap<Credential, Record<string, string>>();
function headersFor(
  credential: Credential,
  contentType: string | undefined,
  accept: string | undefined,
): Record<string, string> {
  let plain = headersCache.get(credential);
  if (!plain) {
    plain = { ...credential.headers, accept: 'application/json' };
    headersCache.set(credential, plain);
  }
  if (contentType === undefined && accept === undefined) return plain;
  const headers = { ...plain };
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (accept !== undefined) headers.accept = accept;
  return headers;
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
