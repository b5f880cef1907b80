// A kubeconfig pointing at the wrong thing: a server whose certificate its CA does not vouch for, or no Kubernetes at all.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeTlsError } from '@kubeop/core';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { ResourceWatcher } from '../src/internal/watch/watcher.js';
import { KubeClient } from '../src/kube/client.js';
import { loadKubeConfig } from '../src/kube/config.js';
import { createRootLogger } from '../src/logging.js';
import { generateCertificates } from '../../testing/src/certs.js';
import { killAllOperators, SAMPLE_MAIN, spawnOperator } from './support/process.js';

let env: TestEnvironment;
let dir: string;
/** The shared control plane's kubeconfig, but trusting a freshly generated CA that never signed its certificate. */
let wrongCaKubeconfig: string;
let server: string;

beforeAll(async () => {
  env = await testEnvironment();
  dir = await mkdtemp(join(tmpdir(), 'kubeop-wrong-server-'));
  const { servingCaPem } = await generateCertificates(dir);
  const original = await readFile(env.kubeconfigPath, 'utf8');
  const replaced = original.replace(
    /certificate-authority-data: \S+/,
    `certificate-authority-data: ${Buffer.from(servingCaPem).toString('base64')}`,
  );
  expect(replaced).not.toBe(original);
  wrongCaKubeconfig = join(dir, 'wrong-ca.kubeconfig');
  await writeFile(wrongCaKubeconfig, replaced);
  server = new URL(env.kubeConfig.getCurrentCluster()!.server).origin;
});
afterAll(async () => {
  killAllOperators();
  await rm(dir, { recursive: true, force: true });
});

const CERTIFICATE_CODE =
  /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID/;

describe('a kubeconfig whose CA did not sign the server certificate', () => {
  it('stops the operator with a certificate error naming the server and the way out, not "cannot reach"', async () => {
    const run = spawnOperator(SAMPLE_MAIN, ['--namespace', env.namespace], { KUBECONFIG: wrongCaKubeconfig });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    const output = run.output();
    expect(output).toContain(`a TLS certificate problem: the certificate of ${server} cannot be verified`);
    expect(output).toMatch(CERTIFICATE_CODE);
    expect(output).toContain('certificate-authority');
    expect(output).toContain('--context');
    expect(output).not.toContain('cannot reach');
  });

  it('is retried by a watch, which says certificate each time it warns', async () => {
    const lines: string[] = [];
    const logger = createRootLogger({
      level: 'debug',
      format: 'text',
      stream: new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
    });
    const client = new KubeClient(loadKubeConfig({ kubeconfig: wrongCaKubeconfig, env: {} }));
    const watcher = new ResourceWatcher({
      client,
      path: `/api/v1/namespaces/${env.namespace}/configmaps`,
      description: 'configmaps',
      logger,
      backoff: { baseMs: 10, capMs: 20 },
    });
    watcher.start();
    try {
      await eventually(() => watcher.stats.restarts.error >= 3, 'three failed attempts');
      const failures = lines.filter((line) => line.includes('watch of configmaps failed'));
      expect(failures.length).toBeGreaterThanOrEqual(3);
      for (const line of failures) {
        expect(line).toContain('TLS certificate problem');
        expect(line).toMatch(CERTIFICATE_CODE);
      }
    } finally {
      await watcher.stop();
      await client.close();
    }
  });

  it('is a KubeTlsError, still a connection error a retry may get past', async () => {
    const client = new KubeClient(loadKubeConfig({ kubeconfig: wrongCaKubeconfig, env: {} }));
    try {
      await expect(client.request('GET', '/version')).rejects.toThrow(KubeTlsError);
    } finally {
      await client.close();
    }
  });
});

describe('a server that is not a Kubernetes API server', () => {
  let web: Server;
  let kubeconfig: string;
  let url: string;
  beforeAll(async () => {
    // Any web server: 404 to every path, as plain text.
    web = createServer((_request, response) =>
      response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n'),
    );
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
    kubeconfig = join(dir, 'web.kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: web, cluster: { server: '${url}', insecure-skip-tls-verify: true } }]
users: [{ name: web, user: { token: nothing } }]
contexts: [{ name: web, context: { cluster: web, user: web } }]
current-context: web
`,
    );
  });
  afterAll(() => new Promise((resolve) => web.close(resolve)));

  it.each([[[]], [['--create-crd']]])('says so rather than "CRD not installed" (flags %j)', async (flags) => {
    const run = spawnOperator(SAMPLE_MAIN, flags, { KUBECONFIG: kubeconfig });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(
      new RegExp(
        `${url} is not a Kubernetes API server: it answered GET /apis/\\S+ with 404 \\("404 page not found"\\)`,
      ),
    );
    expect(run.output()).toContain(
      "Check the cluster's server in the kubeconfig, or pick the right cluster with --context",
    );
    expect(run.output()).not.toContain('is not installed');
  });
});
