// What the client asks of a way to reach the API server: one exchange of a request and its answer.

export interface Exchange {
  method: string;
  /** Path and query, below the server's own path prefix. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** How long the answer may be silent (before its headers, between chunks of its body); none by default. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Answer {
  readonly statusCode: number;
  /** The body as it arrives; read it whole, or `discard()` it. */
  readonly body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  discard(): void;
}

/** Connections to one server: a pool, or a watch's own connection. */
export interface Connections {
  send(exchange: Exchange): Promise<Answer>;
  /** Closes the connections once the requests in flight are answered. */
  close(): Promise<void>;
  /** Cuts every connection now. */
  destroy(): void;
}

/** What a request that stayed silent for its `timeoutMs` fails with: the name fetch's AbortSignal.timeout gave. */
export class SilentServerError extends Error {
  override readonly name = 'TimeoutError';
}
