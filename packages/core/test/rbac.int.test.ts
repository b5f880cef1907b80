// An operator whose account may not list its resource says so clearly, retries slowly, and recovers once allowed.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { installCrd, objects, parseLogs, runOperator, stopAllOperators } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const handled: string[] = [];

@CustomResource(testResource)
class Restricted extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    handled.push(o.metadata.name);
    this.status = { state: 'done' };
  }
}

let env: TestEnvironment;
let operatorKubeconfig: string;
beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, Restricted);
  const core = env.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace: env.namespace, body: { metadata: { name: 'operator' } } });
  const token = await core.createNamespacedServiceAccountToken({
    namespace: env.namespace,
    name: 'operator',
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  // The control plane's cluster and CA, logged in as the service account instead of admin.
  const restricted = new KubeConfig();
  restricted.loadFromOptions({
    clusters: [env.kubeConfig.getCurrentCluster()!],
    users: [{ name: 'operator', token: token.status!.token }],
    contexts: [{ name: 'operator', cluster: env.kubeConfig.getCurrentCluster()!.name, user: 'operator' }],
    currentContext: 'operator',
  });
  operatorKubeconfig = join(tmpdir(), `kubeop-rbac-${process.pid}.kubeconfig`);
  writeFileSync(operatorKubeconfig, restricted.exportConfig(), { mode: 0o600 });
});
afterAll(() => stopAllOperators());

describe('RBAC denial', () => {
  it('is reported with the verb and resource, retried slowly, and recovered from once granted', async () => {
    const running = await runOperator([Restricted], { kubeconfigPath: operatorKubeconfig, namespace: env.namespace, waitSynced: false });
    const denial = await eventually(
      () => parseLogs(running.logs).find((l) => l.level === 'error' && String(l.message).startsWith('permission denied')),
      'the denial to be logged',
    );
    expect(String(denial.message)).toMatch(
      new RegExp(
        `^permission denied: cannot list/watch widgets.it.kubeop.dev in namespace ${env.namespace} \\(.*cannot list resource "widgets" in API group "it.kubeop.dev".*\\); ` +
          `grant the operator's account "list" and "watch" on it. Retrying in (\\d+) s$`,
      ),
    );
    expect(Number(/Retrying in (\d+) s/.exec(String(denial.message))![1])).toBeGreaterThanOrEqual(10);

    const rbac = env.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: env.namespace,
      body: {
        metadata: { name: 'operator' },
        rules: [
          { apiGroups: ['it.kubeop.dev'], resources: ['widgets'], verbs: ['get', 'list', 'watch', 'patch'] },
          { apiGroups: ['it.kubeop.dev'], resources: ['widgets/status'], verbs: ['patch'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: env.namespace,
      body: {
        metadata: { name: 'operator' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'operator' },
        subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace: env.namespace }],
      },
    });
    await objects(env.kubeConfig, testResource, env.namespace).create('allowed');
    await eventually(() => handled.includes('allowed'), 'the object, once the operator may see it', 60_000);
    await eventually(async () => (await objects(env.kubeConfig, testResource, env.namespace).get('allowed'))?.status?.state === 'done', 'the status');
  });
});
