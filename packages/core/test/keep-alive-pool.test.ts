// The client's pool of keep-alive HTTP/1.1 connections against Node's own HTTP server (TLS is covered by every
// integration test, which reaches the API server through this pool).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '@kubeop/testing';
import type { Exchange } from '../src/kube/connections.js';
import { KeepAlivePool } from '../src/kube/http1/keep-alive-pool.js';

let server: Server;
let respond: (request: IncomingMessage, body: string, response: ServerResponse) => void;
let opened: Socket[];
let pool: KeepAlivePool;

beforeEach(async () => {
  opened = [];
  respond = (request, body, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }));
  };
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => respond(request, body, response));
  });
  server.on('connection', (socket: Socket) => opened.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  pool = new KeepAlivePool(() => connect({ host: '127.0.0.1', port }), `127.0.0.1:${port}`, '/prefix');
});
afterEach(async () => {
  pool.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** What the server echoes of a request. */
interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const get = (path: string, more: Partial<Exchange> = {}): Exchange => ({
  method: 'GET',
  path,
  headers: { accept: 'application/json' },
  ...more,
});

async function json(exchange: Exchange): Promise<{ status: number; seen: Seen }> {
  const answer = await pool.send(exchange);
  return { status: answer.statusCode, seen: JSON.parse(await answer.text()) as Seen };
}

describe('the keep-alive pool', () => {
  it('sends the method, the prefixed path, the headers (latin1), Host and the body (UTF-8) with its length', async () => {
    const { status, seen } = await json({
      method: 'PATCH',
      path: '/apis/x/namespaces/n/things/a/status?fieldManager=m',
      headers: { accept: 'application/json', 'content-type': 'application/merge-patch+json', 'x-note': 'café' },
      body: '{"status":{"state":"é"}}',
    });
    expect(status).toBe(200);
    expect(seen).toMatchObject({
      method: 'PATCH',
      url: '/prefix/apis/x/namespaces/n/things/a/status?fieldManager=m',
      body: '{"status":{"state":"é"}}',
      headers: {
        host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
        accept: 'application/json',
        'content-type': 'application/merge-patch+json',
        // Node reads header bytes as latin1, and so they are sent.
        'x-note': 'café',
        'content-length': String(Buffer.byteLength('{"status":{"state":"é"}}')),
      },
    });
  });

  it('carries requests one after another on one connection, and opens more only for requests in parallel', async () => {
    for (let i = 0; i < 5; i++) expect((await json(get(`/one/${i}`))).seen.url).toBe(`/prefix/one/${i}`);
    expect(opened).toHaveLength(1);
    const parallel = await Promise.all([1, 2, 3].map((i) => json(get(`/many/${i}`))));
    expect(parallel.map((r) => r.seen.url)).toEqual(['/prefix/many/1', '/prefix/many/2', '/prefix/many/3']);
    expect(opened).toHaveLength(3);
    await json(get('/again'));
    expect(opened).toHaveLength(3);
  });

  it('reads a large chunked answer whole', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    respond = (_request, _body, response) => {
      for (let i = 0; i < big.length; i += 64 * 1024) response.write(big.slice(i, i + 64 * 1024));
      response.end();
    };
    const answer = await pool.send(get('/big'));
    expect(await answer.text()).toBe(big);
  });

  it('opens a new connection after the server closed one, during an answer or while it was idle', async () => {
    respond = (request, body, response) => {
      response.setHeader('connection', 'close');
      response.end('closing');
    };
    expect(await (await pool.send(get('/a'))).text()).toBe('closing');
    expect(await (await pool.send(get('/b'))).text()).toBe('closing');
    expect(opened).toHaveLength(2);

    respond = (_request, _body, response) => response.end('kept');
    expect(await (await pool.send(get('/c'))).text()).toBe('kept');
    // The server drops its idle connection: the pool lets it go rather than write the next request into it.
    expect(pool.idleConnections).toBe(1);
    server.closeIdleConnections();
    await eventually(() => pool.idleConnections === 0, 'the pool saw its idle connection closed', 10_000);
    expect(await (await pool.send(get('/d'))).text()).toBe('kept');
    expect(opened).toHaveLength(4);
  });

  it('fails a request whose server stays silent for its timeout, and serves the next on a new connection', async () => {
    respond = (request, _body, response) => {
      if (request.url !== '/prefix/silent') response.end('fine');
    };
    await expect(pool.send(get('/silent', { timeoutMs: 50 }))).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'no answer from the API server within 50 ms',
    });
    expect(await (await pool.send(get('/next'))).text()).toBe('fine');
    expect(opened).toHaveLength(2);
  });

  it('fails a request aborted by its signal with the signal’s reason', async () => {
    respond = () => {};
    const controller = new AbortController();
    const sent = pool.send(get('/held', { signal: controller.signal }));
    await eventually(() => opened.length === 1, 'the request reached the server', 10_000);
    const reason = new Error('stopping');
    controller.abort(reason);
    await expect(sent).rejects.toBe(reason);
    // Already aborted: nothing is sent.
    await expect(pool.send(get('/late', { signal: controller.signal }))).rejects.toBe(reason);
    expect(opened).toHaveLength(1);
  });

  it('fails the body of an answer cut short with the connection reset', async () => {
    respond = (_request, _body, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('only part');
      setImmediate(() => response.socket?.destroy());
    };
    const answer = await pool.send(get('/cut'));
    await expect(answer.text()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('refuses a header value or a path that would break the request, naming the header but not its value', async () => {
    const injected = pool.send(get('/x', { headers: { authorization: 'Bearer a\r\nx-evil: 1' } }));
    await expect(injected).rejects.toThrow('the request header "authorization" has an invalid name or value');
    await expect(injected).rejects.not.toThrow(/Bearer/);
    await expect(pool.send(get('/a path'))).rejects.toThrow('the request path has invalid characters');
    expect(opened).toHaveLength(0);
  });

  it('closes after the requests in flight are answered', async () => {
    let release = () => {};
    respond = (_request, _body, response) => (release = () => response.end('late'));
    const sent = pool.send(get('/slow'));
    await eventually(() => opened.length === 1, 'the request reached the server', 10_000);
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release();
    expect(await (await sent).text()).toBe('late');
    await closing;
    await eventually(() => opened[0]!.destroyed, 'the connection closed', 10_000);
  });
});
