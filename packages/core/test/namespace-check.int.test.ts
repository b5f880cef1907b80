// --namespace naming a namespace that does not exist is refused at start; an account that may not read it is warned.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { prepareOperator } from '@kubeop/core/tooling';
import { createTestNamespace } from '@kubeop/testing';
import { NamespaceNotFoundError } from '../src/namespace-check.js';
import { operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { serviceAccountKubeconfig } from './support/service-account.js';
import { testResource } from './support/test-resource.js';

@CustomResource(testResource)
class Widgets extends ResourceHandler {
  @OnAdded() async added() {}
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Widgets] });

describe('--namespace at start', () => {
  it('refuses a namespace that does not exist, naming the flag and the namespace', async () => {
    const prepared = prepareOperator({
      handlers: [Widgets],
      argv: [
        '--kubeconfig',
        env.kubeconfigPath,
        '--namespace',
        'no-such-namespace',
        '--health-probe-bind-address',
        '0',
      ],
      env: {},
      logStream: new Writable({ write: (_chunk, _encoding, done) => done() }),
    });
    if (prepared.kind !== 'operator') throw new Error(prepared.output);
    const started = prepared.operator.start();
    await expect(started).rejects.toThrow(NamespaceNotFoundError);
    await expect(started).rejects.toThrow(
      '--namespace "no-such-namespace": the namespace does not exist; create it (kubectl create namespace no-such-namespace)',
    );
    await prepared.operator.stop();
  });

  it('starts in an existing one', async () => {
    const running = await runOperator([Widgets], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    expect(running.logText()).not.toContain('cannot check that the namespace');
  });

  it('checks by a dry-run Event when the account may create Events there but not read namespaces', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'confined');
    // What the Role of `kubeop manifests --namespace` grants: the resource, and Events.
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, namespace, 'confined', [
      { apiGroups: [testResource.group], resources: ['widgets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
    const running = await runOperator([Widgets], { kubeconfigPath, namespace });
    expect(running.logText()).not.toContain('cannot check that the namespace');
    // A dry run stores nothing.
    const events = await env.kubeConfig.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace });
    expect(events.items.filter((e) => e.reason === 'NamespaceCheck')).toEqual([]);
  });

  it('refuses a missing namespace found by the dry-run Event too', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'events-only');
    // Events anywhere, namespaces not: the dry run in the missing namespace meets the API server's 404.
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, namespace, 'events-only');
    const rbac = env.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const name = `kubeop-events-only-${namespace}`;
    await rbac.createClusterRole({
      body: { metadata: { name }, rules: [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }] },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name: 'events-only', namespace }],
      },
    });
    try {
      const prepared = prepareOperator({
        handlers: [Widgets],
        argv: ['--kubeconfig', kubeconfigPath, '--namespace', 'no-such-namespace', '--health-probe-bind-address', '0'],
        env: {},
        logStream: new Writable({ write: (_chunk, _encoding, done) => done() }),
      });
      if (prepared.kind !== 'operator') throw new Error(prepared.output);
      await expect(prepared.operator.start()).rejects.toThrow(NamespaceNotFoundError);
      await prepared.operator.stop();
    } finally {
      await rbac.deleteClusterRoleBinding({ name });
      await rbac.deleteClusterRole({ name });
    }
  });

  it('warns, and starts, when the account may neither read namespaces nor create Events', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'confined');
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, namespace, 'confined', [
      { apiGroups: [testResource.group], resources: ['widgets'], verbs: ['get', 'list', 'watch'] },
    ]);
    const running = await runOperator([Widgets], { kubeconfigPath, namespace });
    const warning = parseLogs(running.logs).find((line) =>
      String(line.message).includes('cannot check that the namespace'),
    );
    expect(warning).toMatchObject({ level: 'warn' });
    expect(warning?.message).toContain(`the namespace ${namespace} of --namespace exists`);
  });
});
