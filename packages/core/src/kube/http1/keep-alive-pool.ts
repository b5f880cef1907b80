// The shared pool of keep-alive HTTP/1.1 connections for requests with a whole answer (not watches): one write per
// request and a small reader of the answer, without Node's ClientRequest, IncomingMessage and agent, which cost
// several times the request itself (about 100 µs against 35 µs of client CPU per request, measured in the
// footprint notes of the README).
import type { Socket } from 'node:net';
import type { Answer, Connections, Exchange } from '../connections.js';
import { SilentServerError } from '../connections.js';
import { HttpProtocolError, ResponseReader } from './response-reader.js';

/** Opens a connection to the server: TLS or plain TCP, configured by the transport. */
export type Connect = () => Socket;

/** As Node's agent: idle connections kept beyond this many are closed. */
const MAX_IDLE = 256;
/** Header values Node would refuse to send (control characters other than tab). */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Header values beyond ASCII go as latin1, as Node sends them; the body is UTF-8. */
const BEYOND_ASCII = /[\x80-\xff]/;
/** A request target Node would refuse (spaces and control characters). */
const INVALID_PATH = /[^\u0021-\u00ff]/;

export class KeepAlivePool implements Connections {
  /** Most recently used last: taken from the end, so a burst's extra connections go idle and can be closed. */
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private drained: (() => void) | undefined;
  private closing = false;

  constructor(
    private readonly connect: Connect,
    /** `host[:port]` as the Host header carries it, and the path the API server is served under. */
    private readonly host: string,
    private readonly prefix: string,
  ) {}

  /** Connections kept open for the next request. */
  get idleConnections(): number {
    return this.idle.length;
  }

  send(exchange: Exchange): Promise<Answer> {
    let head: string;
    try {
      head = this.requestHead(exchange);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (exchange.signal?.aborted) return Promise.reject(exchange.signal.reason as Error);
    const connection = this.idle.pop() ?? new Connection(this.connect(), (done) => this.release(done));
    this.busy.add(connection);
    return connection.exchange(head, exchange);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.busy.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    for (const connection of this.idle.splice(0)) connection.destroy();
  }

  destroy(): void {
    this.closing = true;
    for (const connection of [...this.busy, ...this.idle.splice(0)]) connection.destroy();
    this.busy.clear();
  }

  /** A connection's exchange is over: kept for the next request when it can be, else gone. */
  private release(connection: Connection): void {
    this.busy.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
    if (connection.reusable && !this.closing && this.idle.length < MAX_IDLE) this.idle.push(connection);
    else if (connection.reusable) connection.destroy();
    if (this.busy.size === 0) this.drained?.();
  }

  private requestHead(exchange: Exchange): string {
    const path = this.prefix + exchange.path;
    if (INVALID_PATH.test(path))
      throw new TypeError(`the request path has invalid characters: ${JSON.stringify(path)}`);
    let head = `${exchange.method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\n`;
    const { headers } = exchange;
    for (const name in headers) {
      const value = headers[name]!;
      // The value is not quoted: it may be a credential.
      if (!HEADER_NAME.test(name) || INVALID_HEADER_VALUE.test(value))
        throw new TypeError(`the request header "${name}" has an invalid name or value`);
      head += `${name}: ${value}\r\n`;
    }
    if (exchange.body !== undefined) head += `content-length: ${Buffer.byteLength(exchange.body)}\r\n`;
    return `${head}\r\n`;
  }
}

/** One connection, carrying one exchange at a time. */
class Connection {
  /** Whether the last answer left the connection fit for another request. */
  reusable = false;
  private current: Pending | undefined;
  private broken = false;

  constructor(
    private readonly socket: Socket,
    private readonly onDone: (connection: Connection) => void,
  ) {
    socket.on('data', (bytes: Buffer) => this.read(bytes));
    socket.on('error', (error: Error) => this.fail(error));
    // A server that closed an idle connection: out of the pool at once, before 'close' follows.
    socket.on('end', () => this.closed());
    socket.on('close', () => this.closed());
  }

  exchange(head: string, exchange: Exchange): Promise<Answer> {
    this.reusable = false;
    this.socket.ref();
    return new Promise<Answer>((resolve, reject) => {
      const pending = new Pending(this, exchange, resolve, reject);
      this.current = pending;
      // Head and body in one write: one TLS record and one segment for a small request.
      const { body } = exchange;
      if (BEYOND_ASCII.test(head))
        this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body ?? '')]));
      else this.socket.write(body === undefined ? head : head + body);
    });
  }

  destroy(error?: Error): void {
    if (!this.broken) {
      this.broken = true;
      this.reusable = false;
      this.socket.destroy();
    }
    this.fail(error ?? hangUp());
    this.onDone(this);
  }

  /** The answer is complete (or dropped): the connection goes back to the pool or is closed. */
  finished(pending: Pending, reusable: boolean): void {
    if (this.current !== pending) return;
    this.current = undefined;
    this.reusable = reusable && !this.broken;
    if (this.reusable) {
      this.socket.unref();
      this.onDone(this);
    } else this.destroy();
  }

  private read(bytes: Buffer): void {
    const pending = this.current;
    if (!pending) {
      // Nothing was asked: a server that talks out of turn is not trusted with the next request.
      this.destroy(new HttpProtocolError('the server sent bytes no request asked for'));
      return;
    }
    try {
      pending.reader.feed(bytes);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  private closed(): void {
    this.broken = true;
    this.reusable = false;
    this.current?.reader.closed();
    this.fail(hangUp());
    this.onDone(this);
  }

  private fail(error: Error): void {
    const pending = this.current;
    if (!pending) return;
    this.current = undefined;
    pending.fail(error);
    this.onDone(this);
  }
}

/** One request's answer as it arrives: resolved at its head, its body collected for `text()`. */
class Pending implements Answer {
  readonly reader: ResponseReader;
  statusCode = 0;
  private readonly chunks: Buffer[] = [];
  private answered = false;
  private ended = false;
  private failure: Error | undefined;
  private discarding = false;
  private waiting: { resolve: (text: string) => void; reject: (error: Error) => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly exchange: Exchange,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.reader = new ResponseReader(this, exchange.method);
    const { timeoutMs, signal } = exchange;
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(
        () => connection.destroy(new SilentServerError(`no answer from the API server within ${timeoutMs} ms`)),
        timeoutMs,
      );
    }
    if (signal) {
      this.onAbort = () => connection.destroy(signal.reason as Error);
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  get body(): AsyncIterable<Uint8Array> {
    // The pool serves whole answers: the body is handed over once it has arrived.
    const text = () => this.text();
    return {
      async *[Symbol.asyncIterator]() {
        yield Buffer.from(await text());
      },
    };
  }

  text(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(this.joined());
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  discard(): void {
    this.discarding = true;
    this.chunks.length = 0;
  }

  head(statusCode: number): void {
    this.statusCode = statusCode;
    this.answered = true;
    this.timer?.refresh();
    this.resolve(this);
  }

  data(chunk: Buffer): void {
    this.timer?.refresh();
    if (!this.discarding) this.chunks.push(chunk);
  }

  end(reusable: boolean): void {
    this.ended = true;
    this.settle();
    this.waiting?.resolve(this.joined());
    this.waiting = undefined;
    this.connection.finished(this, reusable);
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.failure = error;
    this.settle();
    if (!this.answered) this.reject(error);
    this.waiting?.reject(error);
    this.waiting = undefined;
  }

  private settle(): void {
    clearTimeout(this.timer);
    if (this.onAbort) this.exchange.signal!.removeEventListener('abort', this.onAbort);
  }

  private joined(): string {
    const { chunks } = this;
    return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  }
}

/** What Node's http client reports when a connection ends before its answer did. */
function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
