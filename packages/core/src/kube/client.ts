// A small HTTP client over client-node's KubeConfig: one connection pool, timeouts, named errors.
import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { type Dispatcher, fetch, type Response } from 'undici';
import { isCertificateErrorCode, KubeApiError, KubeConnectionError, KubeTlsError, type StatusDetails } from './errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  /** Defaults to the client's `requestTimeoutMs`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const MERGE_PATCH = 'application/merge-patch+json';

export class KubeClient {
  // client-node 2.0.1 makes a new undici Agent (so a new TCP+TLS connection) per request; one shared
  // dispatcher keeps connections pooled.
  private dispatcher: Dispatcher | undefined;

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('The kubeconfig has no current cluster');
    return cluster.server.replace(/\/$/, '');
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    // AbortSignal.timeout takes whole milliseconds only.
    const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(options.timeoutMs ?? this.requestTimeoutMs)));
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const response = await this.send(method, path, options, signal, 'pooled');
      const text = await response.text();
      if (!response.ok) throw apiError(response.status, method, path, text);
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (error) {
      // An aborted request leaves its socket in the pool; if the connection is half-dead (no answer, no
      // reset) every later request would hang on it too. Start over with fresh connections.
      if (timeout.aborted) this.resetPool();
      throw error;
    }
  }

  /**
   * Opens a streaming GET (a watch) on a connection of its own; the caller reads `body`, aborts through
   * `signal` and must call `close()`, which tears the connection down even when the peer went silent.
   */
  async stream(path: string, query: Query, signal: AbortSignal): Promise<{ response: Response; close: () => void }> {
    let dispatcher: Dispatcher | undefined;
    const close = () => void dispatcher?.destroy().catch(() => undefined);
    try {
      const response = await this.send('GET', path, { query }, signal, (d) => (dispatcher = d));
      if (!response.ok) throw apiError(response.status, 'WATCH', path, await response.text().catch(() => ''));
      return { response, close };
    } catch (error) {
      close();
      throw error;
    }
  }

  private resetPool(): void {
    void this.dispatcher?.destroy().catch(() => undefined);
    this.dispatcher = undefined;
  }

  /** `connection`: 'pooled' shares the client's pool; a callback receives a dispatcher used for this request alone. */
  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    signal: AbortSignal,
    connection: 'pooled' | ((own: Dispatcher) => void),
  ): Promise<Response> {
    const url = new URL(this.server + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    // Called per request so that expiring credentials (exec plugins, OIDC) are refreshed.
    await this.kubeConfig.applySecurityAuthentication(context);
    // applySecurityAuthentication builds a new dispatcher each call: keep one for the pool, or hand it over.
    const fresh = context.getDispatcher() as Dispatcher | undefined;
    let dispatcher: Dispatcher | undefined;
    if (connection === 'pooled') {
      this.dispatcher ??= fresh;
      dispatcher = this.dispatcher;
    } else if (fresh) {
      connection(fresh);
      dispatcher = fresh;
    }
    const headers: Record<string, string> = { ...context.getHeaders(), accept: 'application/json' };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    try {
      return await fetch(url, { method, headers, body, signal, dispatcher });
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (isCertificateErrorCode(code)) throw new KubeTlsError(method, url.toString(), code, { cause: error });
      throw new KubeConnectionError(method, url.toString(), code, { cause: error });
    }
  }

  /**
   * Lets requests in flight finish for up to `graceMs`, then cuts the connections: a request stuck on a
   * half-dead connection (or from a handler abandoned at shutdown) must not hold the process up.
   */
  async close(graceMs = 2_000): Promise<void> {
    const dispatcher = this.dispatcher;
    if (!dispatcher) return;
    let timer: NodeJS.Timeout | undefined;
    const graceful = dispatcher.close().then(() => true, () => true);
    const done = await Promise.race([graceful, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]);
    clearTimeout(timer);
    if (!done) await dispatcher.destroy().catch(() => undefined);
  }
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
