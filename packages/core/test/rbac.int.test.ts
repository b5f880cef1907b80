// An operator whose account may not list its resource says so clearly, retries slowly, and recovers once allowed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { createTestNamespace, eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { installCrd, objects, parseLogs, runOperator, stopAllOperators } from './support/operator.js';
import { grant, serviceAccountKubeconfig } from './support/service-account.js';
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
  operatorKubeconfig = await serviceAccountKubeconfig(env.kubeConfig, env.namespace, 'operator');
});
afterAll(() => stopAllOperators());

describe('RBAC denial', () => {
  it('is reported with the verb and resource, retried slowly, and recovered from once granted', async () => {
    const running = await runOperator([Restricted], {
      kubeconfigPath: operatorKubeconfig,
      namespace: env.namespace,
      waitSynced: false,
    });
    const denial = await eventually(
      () =>
        parseLogs(running.logs).find((l) => l.level === 'error' && String(l.message).startsWith('permission denied')),
      'the denial to be logged',
    );
    expect(String(denial.message)).toMatch(
      new RegExp(
        `^permission denied: cannot list/watch widgets.it.kubeop.dev in namespace ${env.namespace} \\(.*cannot list resource "widgets" in API group "it.kubeop.dev".*\\); ` +
          `grant the operator's account "list" and "watch" on it. Retrying in (\\d+) s$`,
      ),
    );
    expect(Number(/Retrying in (\d+) s/.exec(String(denial.message))![1])).toBeGreaterThanOrEqual(10);

    await grant(env.kubeConfig, env.namespace, 'operator', [
      { apiGroups: ['it.kubeop.dev'], resources: ['widgets'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['it.kubeop.dev'], resources: ['widgets/status'], verbs: ['patch'] },
    ]);
    await objects(env.kubeConfig, testResource, env.namespace).create('allowed');
    await eventually(() => handled.includes('allowed'), 'the object, once the operator may see it', 60_000);
    await eventually(
      async () => (await objects(env.kubeConfig, testResource, env.namespace).get('allowed'))?.status?.state === 'done',
      'the status',
    );
  });
});

const cleanupResource = { ...testResource, plural: 'cleanwidgets', singular: 'cleanwidget', kind: 'CleanWidget' };
@CustomResource(cleanupResource)
class WithCleanup extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    handled.push(o.metadata.name);
  }
  @OnDeleted() async deleted(o: CustomObject) {
    handled.push(`deleted ${o.metadata.name}`);
  }
}

describe('RBAC denial of the finalizer', () => {
  it('names the verb, resource and finalizer rather than blaming the handler', async () => {
    await installCrd(env.kubeConfig, WithCleanup);
    const namespace = await createTestNamespace(env.kubeConfig, 'finalizer-denied');
    // Everything but patching the objects themselves, which adding the finalizer needs.
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, namespace, 'no-patch', [
      { apiGroups: ['it.kubeop.dev'], resources: ['cleanwidgets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['it.kubeop.dev'], resources: ['cleanwidgets/status'], verbs: ['patch'] },
    ]);
    const running = await runOperator([WithCleanup], { kubeconfigPath, namespace, argv: ['--retry-delay', '0.2'] });
    await objects(env.kubeConfig, cleanupResource, namespace).create('guarded');
    const failure = await eventually(
      () => parseLogs(running.logs).find((l) => l.level === 'error' && l.object === `${namespace}/guarded`),
      'the failure to be logged',
    );
    expect(String(failure.message)).toMatch(
      new RegExp(
        `^could not add the finalizer it.kubeop.dev/finalizer to cleanwidgets.it.kubeop.dev ${namespace}/guarded: permission denied \\(.*\\); ` +
          `grant the operator's account "patch" on cleanwidgets.it.kubeop.dev \\(attempt 1\\); retrying in`,
      ),
    );
    expect(running.logText()).not.toContain('@OnAdded handler for');
    // The handler never ran: the finalizer comes first.
    expect(handled).not.toContain('guarded');
  });
});
