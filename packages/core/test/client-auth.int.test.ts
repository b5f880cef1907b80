// The client on the real control plane: one pooled connection under client-certificate auth, watches on their own, and a revoked token replaced after its 401.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { eventually, type FaultProxy, startFaultProxy, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { execPlugin } from './support/exec-plugin.js';
import { grant } from './support/service-account.js';

let env: TestEnvironment;
let dir: string;
let proxy: FaultProxy;

beforeAll(async () => {
  env = await testEnvironment();
  dir = await mkdtemp(join(tmpdir(), 'kubeop-client-auth-'));
  proxy = await startFaultProxy(
    { server: env.kubeConfig.getCurrentCluster()!.server, kubeConfig: env.kubeConfig },
    join(dir, 'proxy.kubeconfig'),
  );
});
afterAll(async () => {
  await proxy?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('client-certificate auth', () => {
  it('serves many requests over one pooled connection, and gives a watch a connection of its own', async () => {
    expect(proxy.kubeConfig.getCurrentUser()?.certData).toBeTruthy();
    const client = new KubeClient(proxy.kubeConfig);
    try {
      for (let i = 0; i < 30; i++) await client.request('GET', `/api/v1/namespaces/${env.namespace}/configmaps`);
      expect(proxy.connections).toBe(1);
      await Promise.all(
        Array.from({ length: 10 }, () => client.request('GET', `/api/v1/namespaces/${env.namespace}/configmaps`)),
      );
      const pooled = proxy.connections;
      // HTTP/2 multiplexes them on one connection; HTTP/1.1 would open at most one per parallel request.
      expect(pooled).toBeGreaterThanOrEqual(1);
      expect(pooled).toBeLessThanOrEqual(10);
      const list = await client.request<{ metadata: { resourceVersion: string } }>(
        'GET',
        `/api/v1/namespaces/${env.namespace}/configmaps`,
      );
      const watch = await client.stream(
        `/api/v1/namespaces/${env.namespace}/configmaps`,
        { watch: true, resourceVersion: list.metadata.resourceVersion },
        AbortSignal.timeout(60_000),
      );
      await eventually(() => proxy.connections === pooled + 1, 'the watch on a connection of its own');
      watch.close();
      await eventually(() => proxy.connections === pooled, 'the watch connection closed, the pool kept');
      await client.request('GET', `/api/v1/namespaces/${env.namespace}/configmaps`);
      expect(proxy.connections).toBe(pooled);
    } finally {
      await client.close();
    }
  });
});

describe('an exec plugin whose token is revoked', () => {
  it('is run again after the 401 and the request retried, once; until then its token is reused', async () => {
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    const { namespace } = env;
    const account = 'plugin-user';
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: account } } });
    await grant(env.kubeConfig, namespace, account, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }]);
    // A token bound to a Secret dies with it: deleting the Secret revokes the token.
    const boundToken = async (secret: string) => {
      const created = await core.createNamespacedSecret({ namespace, body: { metadata: { name: secret } } });
      const request = await core.createNamespacedServiceAccountToken({
        namespace,
        name: account,
        body: {
          spec: {
            audiences: [],
            expirationSeconds: 3600,
            boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: secret, uid: created.metadata!.uid },
          },
        },
      });
      return request.status!.token;
    };
    const plugin = await execPlugin(dir, 'revoked', { token: await boundToken('first') });
    const cluster = env.kubeConfig.getCurrentCluster()!;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [cluster],
      users: [{ name: account, exec: plugin.exec }],
      contexts: [{ name: account, cluster: cluster.name, user: account }],
      currentContext: account,
    });
    const client = new KubeClient(kubeConfig);
    const list = () => client.request('GET', `/api/v1/namespaces/${namespace}/configmaps`);
    try {
      for (let i = 0; i < 10; i++) await list();
      expect(plugin.runs()).toBe(1);

      await plugin.write({ token: await boundToken('second') });
      await core.deleteNamespacedSecret({ name: 'first', namespace });
      // The API server notices the revocation after a moment; every request until then and after must succeed.
      const failures: unknown[] = [];
      await eventually(async () => {
        await list().catch((error: unknown) => failures.push(error));
        return plugin.runs() === 2;
      }, 'the plugin run again after a 401');
      expect(failures).toEqual([]);
      for (let i = 0; i < 10; i++) await list();
      expect(plugin.runs()).toBe(2);
      expect(client.credentialFetches).toBe(2);
    } finally {
      await client.close();
    }
  });
});
