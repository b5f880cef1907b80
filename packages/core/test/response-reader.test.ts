import { describe, expect, it } from '@jest/globals';
import { HttpProtocolError, ResponseReader } from '../src/kube/http1/response-reader.js';

/** Feeds `parts` to a reader and records what it reported. */
function read(parts: Array<string | Buffer>, method = 'GET') {
  const seen = { status: undefined as number | undefined, chunks: [] as Buffer[], ends: [] as boolean[] };
  const reader = new ResponseReader(
    {
      head: (status) => (seen.status = status),
      data: (chunk) => seen.chunks.push(Buffer.from(chunk)),
      end: (reusable) => seen.ends.push(reusable),
    },
    method,
  );
  for (const part of parts) reader.feed(Buffer.isBuffer(part) ? part : Buffer.from(part, 'utf8'));
  return {
    reader,
    status: seen.status,
    ends: seen.ends,
    get body() {
      return Buffer.concat(seen.chunks).toString('utf8');
    },
  };
}

/** Every way of cutting `text` in two. */
function splits(text: string): Array<[string, string]> {
  return Array.from({ length: text.length - 1 }, (_, i) => [text.slice(0, i + 1), text.slice(i + 1)]);
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '8\r\n{"a":"é\r\n' +
  '3;ext=1\r\n"}\n\r\n' +
  '0\r\nX-Trailer: t\r\n\r\n';

describe('an HTTP/1.1 response reader', () => {
  it('reads a body framed by Content-Length and leaves the connection reusable', () => {
    const seen = read(['HTTP/1.1 201 Created\r\ncontent-length: 11\r\n\r\n{"ok":true}']);
    expect(seen).toMatchObject({ status: 201, body: '{"ok":true}', ends: [true] });
  });

  it('reads a chunked body with extensions and trailers, however the bytes are cut', () => {
    for (const [first, second] of splits(CHUNKED)) {
      const seen = read([first, second]);
      expect({ status: seen.status, body: seen.body, ends: seen.ends }).toEqual({
        status: 200,
        body: '{"a":"é"}\n',
        ends: [true],
      });
    }
    // A multi-byte character cut between two reads comes out whole once the body's bytes are joined.
    const bytes = Buffer.from(CHUNKED, 'utf8');
    const cut = bytes.indexOf(0xc3) + 1;
    const halves = read([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(halves.body).toBe('{"a":"é"}\n');
  });

  it('ends a body without a length when the server closes, and never reuses that connection', () => {
    const seen = read(['HTTP/1.1 200 OK\r\n\r\nfirst ', 'second']);
    expect(seen.ends).toEqual([]);
    seen.reader.closed();
    expect(seen).toMatchObject({ body: 'first second', ends: [false] });
  });

  it('reads no body for 204, 304 and the answer to HEAD, whatever the headers say', () => {
    expect(read(['HTTP/1.1 204 No Content\r\n\r\n']).ends).toEqual([true]);
    expect(read(['HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n']).ends).toEqual([true]);
    expect(read(['HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n'], 'HEAD')).toMatchObject({ body: '', ends: [true] });
    expect(read(['HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'])).toMatchObject({ body: '', ends: [true] });
  });

  it('keeps a connection only as HTTP/1.1 or an explicit keep-alive allows', () => {
    expect(read(['HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 1\r\n\r\nx']).ends).toEqual([false]);
    expect(read(['HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\ncontent-length: 1\r\n\r\nx']).ends).toEqual([
      false,
    ]);
    expect(read(['HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\nx']).ends).toEqual([false]);
    expect(read(['HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 1\r\n\r\nx']).ends).toEqual([true]);
  });

  it('passes over an interim 100 Continue to the final answer', () => {
    const seen = read(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok']);
    expect(seen).toMatchObject({ status: 200, body: 'ok', ends: [true] });
  });

  it.each([
    ['a status line that is not HTTP/1.x', ['HTTP/2 200\r\n\r\n'], /not an HTTP\/1.x status line/],
    ['a header line without a colon', ['HTTP/1.1 200 OK\r\nbroken\r\n\r\n'], /malformed header line: "broken"/],
    ['an invalid Content-Length', ['HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'], /invalid Content-Length: -1/],
    [
      'two different Content-Length headers',
      ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n'],
      /two different Content-Length/,
    ],
    [
      'an invalid chunk size',
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
      /invalid chunk size: "zz"/,
    ],
    [
      'a chunk not ending in CRLF',
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\nxyz'],
      /chunk does not end in CRLF/,
    ],
    ['bytes after the answer ended', ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxy'], /bytes after the response/],
    ['a head that never ends', ['HTTP/1.1 200 OK\r\n', `x-big: ${'a'.repeat(70_000)}`], /response head is longer/],
    ['a switch of protocols', ['HTTP/1.1 101 Switching Protocols\r\n\r\n'], /switched protocols/],
  ])('rejects %s', (_what, parts, message) => {
    expect(() => read(parts)).toThrow(HttpProtocolError);
    expect(() => read(parts)).toThrow(message);
  });
});
