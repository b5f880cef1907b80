// An HTTP/1.1 response read from a connection's bytes as they arrive: the head, then the body by Content-Length, by
// chunked transfer coding, or until the server closes. Just what a client of the API server meets (RFC 9112).

export interface ResponseEvents {
  head(statusCode: number): void;
  data(chunk: Buffer): void;
  /** The body is complete; `reusable`: the connection may carry the next request. */
  end(reusable: boolean): void;
}

/** A response that breaks the protocol; the connection cannot be trusted with another request. */
export class HttpProtocolError extends Error {
  override readonly name = 'HttpProtocolError';
  readonly code = 'HPE_INVALID';
}

/** More than any API server sends; Node's own parser allows 16 KiB. */
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_SIZE_LINE = 1024;

const enum Reading {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
}

export class ResponseReader {
  private reading = Reading.Head;
  /** Bytes of a head or a chunk-size line cut by the end of a read, kept for the next one. */
  private partial: Buffer | undefined;
  private remaining = 0;
  private reusable = true;

  /** `method`: the request's, since the answer to a HEAD has no body whatever its headers say. */
  constructor(
    private readonly events: ResponseEvents,
    private readonly method: string,
  ) {}

  get done(): boolean {
    return this.reading === Reading.Done;
  }

  /** Reads the next bytes from the connection; throws HttpProtocolError on a malformed response. */
  feed(input: Buffer): void {
    const bytes = this.partial ? Buffer.concat([this.partial, input]) : input;
    this.partial = undefined;
    let at = 0;
    while (at < bytes.length) {
      switch (this.reading) {
        case Reading.Head: {
          const end = bytes.indexOf('\r\n\r\n', at, 'latin1');
          if (end < 0) return this.keep(bytes, at, MAX_HEAD_BYTES, 'response head');
          this.readHead(bytes.toString('latin1', at, end));
          at = end + 4;
          break;
        }
        case Reading.Length:
        case Reading.ChunkData:
        case Reading.UntilClose: {
          const take =
            this.reading === Reading.UntilClose ? bytes.length - at : Math.min(this.remaining, bytes.length - at);
          this.events.data(at === 0 && take === bytes.length ? bytes : bytes.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining > 0 || this.reading === Reading.UntilClose) break;
          if (this.reading === Reading.Length) this.finish();
          else this.reading = Reading.ChunkEnd;
          break;
        }
        case Reading.ChunkEnd: {
          if (bytes.length - at < 2) return this.keep(bytes, at, 2, 'chunk');
          if (bytes[at] !== 0x0d || bytes[at + 1] !== 0x0a) throw new HttpProtocolError('a chunk does not end in CRLF');
          at += 2;
          this.reading = Reading.ChunkSize;
          break;
        }
        case Reading.ChunkSize: {
          const eol = bytes.indexOf('\r\n', at, 'latin1');
          if (eol < 0) return this.keep(bytes, at, MAX_CHUNK_SIZE_LINE, 'chunk size line');
          const size = chunkSize(bytes.toString('latin1', at, eol));
          at = eol + 2;
          if (size === 0) this.reading = Reading.Trailers;
          else {
            this.remaining = size;
            this.reading = Reading.ChunkData;
          }
          break;
        }
        case Reading.Trailers: {
          // Trailer fields are read past: nothing the API server sends in them matters here.
          const eol = bytes.indexOf('\r\n', at, 'latin1');
          if (eol < 0) return this.keep(bytes, at, MAX_HEAD_BYTES, 'trailer section');
          const empty = eol === at;
          at = eol + 2;
          if (empty) this.finish();
          break;
        }
        case Reading.Done:
          throw new HttpProtocolError('the server sent bytes after the response ended');
      }
    }
  }

  /** The server closed the connection: the end of a body read until close, else a response cut short. */
  closed(): void {
    if (this.reading === Reading.UntilClose) this.finish();
  }

  private keep(bytes: Buffer, from: number, limit: number, what: string): void {
    if (bytes.length - from > limit) throw new HttpProtocolError(`the ${what} is longer than ${limit} bytes`);
    this.partial = Buffer.from(bytes.subarray(from));
  }

  private readHead(head: string): void {
    const status = /^HTTP\/1\.([01]) (\d{3})(?: |\r|$)/.exec(head);
    if (!status) throw new HttpProtocolError(`not an HTTP/1.x status line: ${JSON.stringify(head.slice(0, 40))}`);
    const statusCode = Number(status[2]);
    // 100 Continue and other interim answers precede the real one; 101 would switch protocols, never asked for.
    if (statusCode >= 100 && statusCode < 200 && statusCode !== 101) return;
    if (statusCode === 101) throw new HttpProtocolError('the server switched protocols unasked');
    const fields = readFields(head);
    const connection = fields.connection?.toLowerCase() ?? '';
    this.reusable = status[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    this.events.head(statusCode);
    if (this.method === 'HEAD' || statusCode === 204 || statusCode === 304) return this.finish();
    if (fields.chunked) {
      this.reading = Reading.ChunkSize;
    } else if (fields.contentLength !== undefined) {
      this.remaining = fields.contentLength;
      if (this.remaining === 0) this.finish();
      else this.reading = Reading.Length;
    } else {
      this.reading = Reading.UntilClose;
      this.reusable = false;
    }
  }

  private finish(): void {
    this.reading = Reading.Done;
    this.events.end(this.reusable);
  }
}

interface Fields {
  contentLength?: number;
  chunked: boolean;
  connection?: string;
}

/** The header fields that frame the body and the connection; the rest are not read. */
function readFields(head: string): Fields {
  const fields: Fields = { chunked: false };
  let at = head.indexOf('\r\n');
  while (at >= 0) {
    const start = at + 2;
    at = head.indexOf('\r\n', start);
    const line = head.slice(start, at < 0 ? undefined : at);
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpProtocolError(`a malformed header line: ${JSON.stringify(line.slice(0, 40))}`);
    const name = line.slice(0, colon).toLowerCase();
    if (name === 'content-length') {
      const value = line.slice(colon + 1).trim();
      if (!/^\d{1,15}$/.test(value)) throw new HttpProtocolError(`an invalid Content-Length: ${value}`);
      if (fields.contentLength !== undefined && fields.contentLength !== Number(value))
        throw new HttpProtocolError('two different Content-Length headers');
      fields.contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      // Chunked must come last when present; any other coding alone leaves the body read until close.
      fields.chunked = /(?:^|,)\s*chunked\s*$/i.test(line.slice(colon + 1));
    } else if (name === 'connection') {
      fields.connection = (fields.connection ? `${fields.connection},` : '') + line.slice(colon + 1);
    }
  }
  return fields;
}

function chunkSize(line: string): number {
  // Chunk extensions (";name=value") carry nothing the client needs.
  const semicolon = line.indexOf(';');
  const hex = (semicolon < 0 ? line : line.slice(0, semicolon)).trim();
  if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new HttpProtocolError(`an invalid chunk size: ${JSON.stringify(hex)}`);
  return parseInt(hex, 16);
}
