// Credential lifetimes: cached until expiry or a 401, exec plugins run by client-node's ExecAuth, and a 401 retried once with a fresh credential.
import { appendFileSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { ApiServerAuth, CredentialCache, type FetchedCredential } from '../src/kube/auth.js';
import { KubeClient } from '../src/kube/client.js';
import { KubeApiError, KubeCredentialError } from '../src/kube/errors.js';
import { generateCertificates } from '../../testing/src/certs.js';
import { execPlugin } from './support/exec-plugin.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeop-auth-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A source that counts its calls and hands out numbered credentials. */
function source(make: (n: number) => Omit<FetchedCredential, 'authorization'>) {
  let calls = 0;
  const fetch = async () => ({ authorization: `token-${++calls}`, ...make(calls) });
  return { fetch, calls: () => calls };
}

describe('CredentialCache', () => {
  it('keeps a credential without expiry for good, and a 401 on a fixed one is not worth a retry', async () => {
    const s = source(() => ({ renewable: false }));
    const cache = new CredentialCache(s.fetch);
    const first = await cache.get();
    for (let i = 0; i < 100; i++) expect(await cache.get()).toBe(first);
    expect(cache.invalidate(first)).toBe(false);
    expect(await cache.get()).toBe(first);
    expect(s.calls()).toBe(1);
  });

  it('keeps an expiring credential until 10 s before it expires, then fetches a new one', async () => {
    const time = clock();
    const s = source(() => ({ expiresAt: time.now() + 15 * 60_000, renewable: true }));
    const cache = new CredentialCache(s.fetch, time.now);
    const first = await cache.get();
    time.advance(15 * 60_000 - 10_001);
    expect(await cache.get()).toBe(first);
    time.advance(1);
    const second = await cache.get();
    expect(second.authorization).toBe('token-2');
    expect(await cache.get()).toBe(second);
    expect(s.calls()).toBe(2);
  });

  it('uses a short-lived credential for half its lifetime rather than fetching it again on every call', async () => {
    const time = clock();
    const s = source(() => ({ expiresAt: time.now() + 4_000, renewable: true }));
    const cache = new CredentialCache(s.fetch, time.now);
    const first = await cache.get();
    time.advance(1_999);
    expect(await cache.get()).toBe(first);
    time.advance(1);
    expect((await cache.get()).authorization).toBe('token-2');
  });

  it('shares one fetch between concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = source(() => ({ renewable: true }));
    const cache = new CredentialCache(async () => {
      await gate;
      return s.fetch();
    });
    const waiting = Array.from({ length: 10 }, () => cache.get());
    release();
    const got = await Promise.all(waiting);
    expect(new Set(got).size).toBe(1);
    expect(s.calls()).toBe(1);
  });

  it('drops a renewable credential after a 401, but not a newer one that replaced it already', async () => {
    const s = source(() => ({ renewable: true }));
    const cache = new CredentialCache(s.fetch);
    const first = await cache.get();
    expect(cache.invalidate(first)).toBe(true);
    const second = await cache.get();
    expect(second.authorization).toBe('token-2');
    // A request that was in flight with the first one comes back with its 401 late.
    expect(cache.invalidate(first)).toBe(true);
    expect(await cache.get()).toBe(second);
    expect(s.calls()).toBe(2);
  });

  it('does not keep a failure: the next call asks again', async () => {
    let fail = true;
    const cache = new CredentialCache(async () => {
      if (fail) throw new Error('plugin down');
      return { renewable: true };
    });
    await expect(cache.get()).rejects.toThrow('plugin down');
    fail = false;
    await expect(cache.get()).resolves.toEqual({ renewable: true });
  });
});

function kubeConfigFor(
  user: Partial<User> & { name: string },
  cluster: { server: string; caData?: string; caFile?: string; skipTLSVerify?: boolean },
): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', skipTLSVerify: false, ...cluster }],
    users: [user],
    contexts: [{ name: 'ctx', cluster: 'c', user: user.name }],
    currentContext: 'ctx',
  });
  return kubeConfig;
}

describe('ApiServerAuth', () => {
  const server = 'https://127.0.0.1:6443';

  it('runs an exec plugin once per credential lifetime, from its expirationTimestamp', async () => {
    const time = clock(Date.parse('2030-01-01T00:00:00Z'));
    const plugin = await execPlugin(dir, 'expiring', { token: 'one', expirationTimestamp: '2030-01-01T01:00:00Z' });
    const auth = new ApiServerAuth(kubeConfigFor({ name: 'u', exec: plugin.exec }, { server }), time.now);
    for (let i = 0; i < 20; i++) expect((await auth.credential()).headers.authorization).toBe('Bearer one');
    expect(plugin.runs()).toBe(1);
    await plugin.write({ token: 'two', expirationTimestamp: '2030-01-01T02:00:00Z' });
    time.advance(60 * 60_000 - 5_000);
    expect((await auth.credential()).headers.authorization).toBe('Bearer two');
    expect((await auth.credential()).headers.authorization).toBe('Bearer two');
    expect(plugin.runs()).toBe(2);
  });

  it('keeps an exec credential without expiry until a 401, then runs the plugin again', async () => {
    const plugin = await execPlugin(dir, 'until-401', { token: 'one' });
    const auth = new ApiServerAuth(kubeConfigFor({ name: 'u', exec: plugin.exec }, { server }));
    const first = await auth.credential();
    expect(await auth.credential()).toBe(first);
    await plugin.write({ token: 'two' });
    expect(auth.invalidate(first)).toBe(true);
    expect((await auth.credential()).headers.authorization).toBe('Bearer two');
    expect(plugin.runs()).toBe(2);
  });

  it('names the plugin and its complaint when it fails', async () => {
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: ['-e', "console.error('no session: run login first'); process.exit(3)"],
    };
    const auth = new ApiServerAuth(kubeConfigFor({ name: 'u', exec }, { server }));
    const error = await auth.credential().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeCredentialError);
    expect((error as Error).message).toContain(
      `the exec plugin (${process.execPath}) of user "u" failed: no session: run login first`,
    );
  });

  it('sends a static token, basic auth and impersonation as client-node does, and never asks again', async () => {
    const token = new ApiServerAuth(kubeConfigFor({ name: 'u', token: 'abc', impersonateUser: 'jane' }, { server }));
    const credential = await token.credential();
    expect(credential.headers).toEqual({ authorization: 'Bearer abc', 'impersonate-user': 'jane' });
    expect(token.invalidate(credential)).toBe(false);
    const basic = new ApiServerAuth(kubeConfigFor({ name: 'u', username: 'jane', password: 'secret' }, { server }));
    expect((await basic.credential()).headers).toEqual({
      authorization: `Basic ${Buffer.from('jane:secret').toString('base64')}`,
    });
  });

  it("keeps an OIDC id-token until its exp, read by client-node's authenticator", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const idToken = `${part({ alg: 'RS256' })}.${part({ sub: 'jane', exp })}.signature`;
    const config = { 'id-token': idToken, 'client-id': 'kubeop', 'idp-issuer-url': 'https://issuer.invalid' };
    const auth = new ApiServerAuth(kubeConfigFor({ name: 'u', authProvider: { name: 'oidc', config } }, { server }));
    const credential = await auth.credential();
    expect(credential.headers.authorization).toBe(`Bearer ${idToken}`);
    expect(credential.expiresAt).toBe(exp * 1000);
    expect(await auth.credential()).toBe(credential);
  });

  it('reads a token file again after a minute, or after a 401', async () => {
    const time = clock();
    const file = join(dir, 'token');
    await writeFile(file, 'one\n');
    const auth = new ApiServerAuth(
      kubeConfigFor({ name: 'u', authProvider: { name: 'tokenFile', config: { tokenFile: file } } }, { server }),
      time.now,
    );
    const first = await auth.credential();
    expect(first.headers.authorization).toBe('Bearer one');
    await writeFile(file, 'two');
    time.advance(30_000);
    expect(await auth.credential()).toBe(first);
    time.advance(30_000);
    const second = await auth.credential();
    expect(second.headers.authorization).toBe('Bearer two');
    await writeFile(file, 'three');
    expect(auth.invalidate(second)).toBe(true);
    expect((await auth.credential()).headers.authorization).toBe('Bearer three');
    expect(auth.fetches).toBe(3);
  });

  it('says which file is missing', () => {
    const missing = join(dir, 'nope.crt');
    const make = () => new ApiServerAuth(kubeConfigFor({ name: 'u' }, { server, caFile: missing }));
    expect(make).toThrow(KubeCredentialError);
    expect(make).toThrow(
      `the certificate authority of cluster "c" cannot be read from ${missing}: ENOENT: no such file or directory`,
    );
  });
});

/** An HTTPS server that requires a client certificate of the client CA, and says whose it got. */
async function tlsServer(
  certs: Awaited<ReturnType<typeof generateCertificates>>,
): Promise<{ url: string; server: Server }> {
  const server = createHttpsServer(
    {
      cert: readFileSync(certs.files.servingCert),
      key: readFileSync(certs.files.servingKey),
      ca: readFileSync(certs.files.clientCa),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request, response) => {
      const peer = (request.socket as TLSSocket).getPeerCertificate();
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ subject: peer.subject?.CN }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('an exec plugin that gives a client certificate', () => {
  it('is presented over TLS with the kubeconfig CA, and one pool serves while the plugin hands out the same certificate', async () => {
    await mkdir(join(dir, 'certs'));
    const certs = await generateCertificates(join(dir, 'certs'));
    const { url, server } = await tlsServer(certs);
    try {
      const plugin = await execPlugin(dir, 'cert', {
        clientCertificateData: certs.adminCertPem,
        clientKeyData: certs.adminKeyPem,
      });
      const kubeConfig = kubeConfigFor(
        { name: 'u', exec: plugin.exec },
        { server: url, caData: Buffer.from(certs.servingCaPem).toString('base64') },
      );
      const auth = new ApiServerAuth(kubeConfig);
      const first = await auth.credential();
      auth.invalidate(first);
      const second = await auth.credential();
      expect(second).not.toBe(first);
      expect(second.transport).toBe(first.transport);
      const client = new KubeClient(kubeConfig);
      try {
        expect(await client.request('GET', '/who')).toEqual({ subject: 'admin' });
      } finally {
        await client.close();
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('KubeClient and a 401', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  /** Tokens the server accepts; any other gets a 401 Status. */
  const valid = new Set<string>();
  beforeAll(async () => {
    server = createHttpServer((request: IncomingMessage, response) => {
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      seen.push(token);
      if (!valid.has(token)) {
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized' }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('retries once with a fresh credential when the refused one can be renewed (a request and a watch)', async () => {
    const file = join(dir, 'rotating-token');
    await writeFile(file, 'old');
    valid.add('old');
    const client = new KubeClient(
      kubeConfigFor(
        { name: 'u', authProvider: { name: 'tokenFile', config: { tokenFile: file } } },
        { server: url, skipTLSVerify: true },
      ),
    );
    try {
      seen.length = 0;
      await client.request('GET', '/a');
      await client.request('GET', '/b');
      expect(client.credentialFetches).toBe(1);
      // Revoked; the file holds its successor.
      valid.delete('old');
      await writeFile(file, 'new');
      valid.add('new');
      expect(await client.request('GET', '/c')).toEqual({ path: '/c' });
      expect(seen).toEqual(['old', 'old', 'old', 'new']);
      expect(client.credentialFetches).toBe(2);

      valid.delete('new');
      appendFileSync(file, '-watch');
      valid.add('new-watch');
      const { response, close } = await client.stream('/w', {}, AbortSignal.timeout(10_000));
      let text = '';
      for await (const chunk of response.body ?? []) text += Buffer.from(chunk).toString('utf8');
      expect(JSON.parse(text)).toEqual({ path: '/w' });
      close();
      expect(seen.slice(-2)).toEqual(['new', 'new-watch']);
    } finally {
      await client.close();
    }
  });

  it('does not retry when a fresh credential would be the same, nor more than once', async () => {
    const client = new KubeClient(kubeConfigFor({ name: 'u', token: 'static' }, { server: url, skipTLSVerify: true }));
    const file = join(dir, 'bad-token');
    await writeFile(file, 'bad');
    const renewable = new KubeClient(
      kubeConfigFor(
        { name: 'u', authProvider: { name: 'tokenFile', config: { tokenFile: file } } },
        { server: url, skipTLSVerify: true },
      ),
    );
    try {
      seen.length = 0;
      const error = await client.request('GET', '/x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect((error as KubeApiError).status).toBe(401);
      expect(seen).toEqual(['static']);
      seen.length = 0;
      await expect(renewable.request('GET', '/y')).rejects.toThrow('GET /y: 401 Unauthorized');
      expect(seen).toEqual(['bad', 'bad']);
    } finally {
      await Promise.all([client.close(), renewable.close()]);
    }
  });
});
