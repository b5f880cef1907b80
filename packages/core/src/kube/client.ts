// A small HTTP client over client-node's KubeConfig: one connection pool, credentials cached for their lifetime, timeouts, named errors.
import type { KubeConfig } from '@kubernetes/client-node';
import { type Dispatcher, fetch, type Response } from 'undici';
import { ApiServerAuth, type Transport } from './auth.js';
import {
  isCertificateErrorCode,
  KubeApiError,
  KubeConnectionError,
  KubeTlsError,
  type StatusDetails,
} from './errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  /** The media type asked for. Defaults to `application/json`. */
  accept?: string;
  /** Defaults to the client's `requestTimeoutMs`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const MERGE_PATCH = 'application/merge-patch+json';

export class KubeClient {
  // One pool of connections for every request (client-node 2.0.1 builds a new undici Agent, TLS context
  // included, per request); authentication computed once per credential lifetime.
  private auth: ApiServerAuth | undefined;
  private pool: { dispatcher: Dispatcher; transport: Transport } | undefined;

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('The kubeconfig has no current cluster');
    return cluster.server.replace(/\/$/, '');
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
    // AbortSignal.timeout takes whole milliseconds only.
    const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(options.timeoutMs ?? this.requestTimeoutMs)));
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const { response } = await this.send(method, path, options, signal, 'pooled');
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
  async stream(
    path: string,
    query: Query,
    signal: AbortSignal,
    accept?: string,
  ): Promise<{ response: Response; close: () => void }> {
    const { response, dispatcher } = await this.send('GET', path, { query, accept }, signal, 'own');
    const close = () => void dispatcher.destroy().catch(() => undefined);
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      close();
      throw apiError(response.status, 'WATCH', path, text);
    }
    return { response, close };
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

  /**
   * `connection`: 'pooled' shares the client's pool; 'own' opens a dispatcher for this request alone, returned
   * for the caller to destroy. A 401 drops the credential and, when a fresh one may differ, retries once.
   */
  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    signal: AbortSignal,
    connection: 'pooled' | 'own',
  ): Promise<{ response: Response; dispatcher: Dispatcher }> {
    const url = new URL(this.server + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    // The kubeconfig's current context at the first request: files read, TLS context built, once.
    this.auth ??= new ApiServerAuth(this.kubeConfig);
    for (let attempt = 1; ; attempt++) {
      const credential = await this.auth.credential();
      const dispatcher =
        connection === 'pooled' ? this.pooled(credential.transport) : credential.transport.dispatcher();
      const headers: Record<string, string> = { ...credential.headers, accept: options.accept ?? 'application/json' };
      if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body, signal, dispatcher });
      } catch (error) {
        if (connection === 'own') void dispatcher.destroy().catch(() => undefined);
        if (signal.aborted) throw signal.reason ?? error;
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (isCertificateErrorCode(code)) throw new KubeTlsError(method, url.toString(), code, { cause: error });
        throw new KubeConnectionError(method, url.toString(), code, { cause: error });
      }
      if (response.status === 401 && attempt === 1 && this.auth.invalidate(credential)) {
        // Revoked or expired before its time: drop it and try once more with a fresh one.
        await response.body?.cancel().catch(() => undefined);
        if (connection === 'own') void dispatcher.destroy().catch(() => undefined);
        continue;
      }
      return { response, dispatcher };
    }
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
