// The dry-run rule of kube/client.ts: which requests go with dryRun=All, what is reported, and the Lease's exemption.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { KubeClient } from '../src/kube/client.js';
import {
  describeDryRunWrite,
  DRY_RUN_EXEMPT,
  DryRun,
  type DryRunWrite,
  isWrite,
  summarizeBody,
} from '../src/kube/dry-run.js';
import { KubeApiError } from '../src/kube/errors.js';
import type { KubeConfigLike } from '../src/kube/kubeconfig.js';

/** What the small HTTP endpoint below received: the verb and the URL, query included. */
let received: Array<{ verb: string; url: string }> = [];
let server: Server;
let kubeConfig: KubeConfigLike;

beforeAll(async () => {
  server = createServer((request, response) => {
    received.push({ verb: request.method!, url: request.url! });
    request.resume();
    request.on('end', () => {
      const refused = request.url!.includes('/refused');
      response.writeHead(refused ? 422 : 200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          refused
            ? { kind: 'Status', reason: 'Invalid', message: 'spec.x: Invalid value', code: 422 }
            : { kind: 'Thing', metadata: { name: 'a' } },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const cluster = { name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true };
  kubeConfig = { getCurrentCluster: () => cluster, getCurrentUser: () => ({ name: 'u' }) } as KubeConfigLike;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
});

function dryRunClient(): { client: KubeClient; reported: DryRunWrite[] } {
  const reported: DryRunWrite[] = [];
  const client = new KubeClient(kubeConfig);
  client.dryRun = new DryRun((write) => reported.push(write));
  return { client, reported };
}

describe('a client with dry run on', () => {
  it('sends every write with dryRun=All, keeping its own query, and reads as they are', async () => {
    const { client } = dryRunClient();
    try {
      await client.request('GET', '/api/v1/namespaces/ns/configmaps/a');
      await client.request('POST', '/api/v1/namespaces/ns/events', { body: { reason: 'R' } });
      await client.request('PUT', '/api/v1/namespaces/ns/secrets/s', { body: { data: {} } });
      await client.request('PATCH', '/api/v1/namespaces/ns/configmaps/a', {
        body: { data: { k: 'v' } },
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'op', force: true },
      });
      await client.request('DELETE', '/api/v1/namespaces/ns/configmaps/a', {
        query: { propagationPolicy: 'Background' },
      });
    } finally {
      await client.close();
    }
    expect(received).toEqual([
      { verb: 'GET', url: '/api/v1/namespaces/ns/configmaps/a' },
      { verb: 'POST', url: '/api/v1/namespaces/ns/events?dryRun=All' },
      { verb: 'PUT', url: '/api/v1/namespaces/ns/secrets/s?dryRun=All' },
      { verb: 'PATCH', url: '/api/v1/namespaces/ns/configmaps/a?fieldManager=op&force=true&dryRun=All' },
      { verb: 'DELETE', url: '/api/v1/namespaces/ns/configmaps/a?propagationPolicy=Background&dryRun=All' },
    ]);
  });

  it('reports each write the server accepted, with its verb, path and body, and reads not at all', async () => {
    const { client, reported } = dryRunClient();
    try {
      await client.request('GET', '/api/v1/namespaces/ns/configmaps/a');
      await client.request('PATCH', '/apis/g/v1/namespaces/ns/things/a/status', { body: { status: { state: 'x' } } });
      await client.request('DELETE', '/api/v1/namespaces/ns/configmaps/a');
    } finally {
      await client.close();
    }
    expect(reported).toEqual([
      { verb: 'PATCH', path: '/apis/g/v1/namespaces/ns/things/a/status', body: '{"status":{"state":"x"}}' },
      { verb: 'DELETE', path: '/api/v1/namespaces/ns/configmaps/a', body: undefined },
    ]);
    expect(describeDryRunWrite(reported[0]!)).toBe(
      'dry run: would PATCH /apis/g/v1/namespaces/ns/things/a/status {"status":{"state":"x"}}',
    );
  });

  it('throws a refused write as without dry run, and reports nothing of it', async () => {
    const { client, reported } = dryRunClient();
    try {
      const refused = client.request('PATCH', '/apis/g/v1/namespaces/ns/things/refused/status', { body: {} });
      await expect(refused).rejects.toBeInstanceOf(KubeApiError);
      await expect(refused).rejects.toMatchObject({ status: 422, verb: 'PATCH' });
    } finally {
      await client.close();
    }
    expect(received.map((r) => r.url)).toEqual(['/apis/g/v1/namespaces/ns/things/refused/status?dryRun=All']);
    expect(reported).toEqual([]);
  });

  it('sends a request that asks for a dry run itself (a permission probe) as one, unreported', async () => {
    const { client, reported } = dryRunClient();
    try {
      await client.request('POST', '/api/v1/namespaces/ns/events', { body: {}, query: { dryRun: 'All' } });
    } finally {
      await client.close();
    }
    expect(received.map((r) => r.url)).toEqual(['/api/v1/namespaces/ns/events?dryRun=All']);
    expect(reported).toEqual([]);
  });

  it('sends a request marked exempt (the leader election Lease) as it is, unreported', async () => {
    const { client, reported } = dryRunClient();
    try {
      const exempt = { body: {}, [DRY_RUN_EXEMPT]: true };
      await client.request('PUT', '/apis/coordination.k8s.io/v1/namespaces/ns/leases/op', exempt);
      await client.request('POST', '/apis/coordination.k8s.io/v1/namespaces/ns/leases', exempt);
    } finally {
      await client.close();
    }
    expect(received.map((r) => r.url)).toEqual([
      '/apis/coordination.k8s.io/v1/namespaces/ns/leases/op',
      '/apis/coordination.k8s.io/v1/namespaces/ns/leases',
    ]);
    expect(reported).toEqual([]);
  });
});

describe('a client without dry run', () => {
  it('sends writes as they are', async () => {
    const client = new KubeClient(kubeConfig);
    try {
      await client.request('PATCH', '/api/v1/namespaces/ns/configmaps/a', { body: {}, query: { fieldManager: 'op' } });
      await client.request('DELETE', '/api/v1/namespaces/ns/configmaps/a');
    } finally {
      await client.close();
    }
    expect(received.map((r) => r.url)).toEqual([
      '/api/v1/namespaces/ns/configmaps/a?fieldManager=op',
      '/api/v1/namespaces/ns/configmaps/a',
    ]);
  });
});

describe('the rule and the summary', () => {
  it("keeps a Secret's keys and none of its values, whatever the body's form", () => {
    const secret = {
      kind: 'Secret',
      metadata: { name: 's' },
      data: { 'tls.key': 'LS0tLS1CRUdJTi', 'tls.crt': 'Y2VydA==' },
      stringData: { token: 'hunter2' },
    };
    const collection = '/api/v1/namespaces/ns/secrets';
    expect(summarizeBody(secret, collection)).toBe(
      '{"kind":"Secret","metadata":{"name":"s"},"data":{"tls.key":"<redacted>","tls.crt":"<redacted>"},"stringData":{"token":"<redacted>"}}',
    );
    expect(summarizeBody(JSON.stringify(secret), `${collection}/s`)).not.toMatch(/LS0t|Y2Vy|hunter2/);
    expect(summarizeBody([{ op: 'add', path: '/data/k', value: 'c2VjcmV0' }], `${collection}/s`)).toBe('<redacted>');
    expect(summarizeBody('not json: c2VjcmV0', `${collection}/s`)).toBe('<redacted>');
    // Not a Secret: the body as it is.
    expect(summarizeBody({ data: { k: 'v' } }, '/api/v1/namespaces/ns/configmaps/c')).toBe('{"data":{"k":"v"}}');
  });

  it('takes every verb but GET for a write', () => {
    expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter(isWrite)).toEqual(['POST', 'PUT', 'PATCH', 'DELETE']);
  });

  it('keeps a small body whole and cuts a large one, saying how long it was', () => {
    const path = '/apis/g/v1/namespaces/ns/things/a/status';
    expect(summarizeBody({ status: { state: 'ready' } }, path)).toBe('{"status":{"state":"ready"}}');
    expect(summarizeBody('{"a":1}', path)).toBe('{"a":1}');
    expect(summarizeBody(undefined, path)).toBeUndefined();
    const large = { data: 'x'.repeat(2000) };
    const summary = summarizeBody(large, path, 100)!;
    expect(summary.startsWith(JSON.stringify(large).slice(0, 100))).toBe(true);
    expect(summary).toMatch(/… \(2011 characters\)$/);
  });
});
