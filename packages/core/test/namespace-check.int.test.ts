// --namespace naming a namespace that does not exist is refused at start; an account that may not read it is warned.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { prepareOperator, ResourceHandler } from '@kubeop/core';
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

  it('warns, and starts, when the account may not read namespaces', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'confined');
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, namespace, 'confined', [
      { apiGroups: [testResource.group], resources: ['widgets'], verbs: ['get', 'list', 'watch'] },
    ]);
    const running = await runOperator([Widgets], { kubeconfigPath, namespace });
    const warning = parseLogs(running.logs).find((line) =>
      String(line.message).includes('cannot check that the namespace'),
    );
    expect(warning).toMatchObject({ level: 'warn' });
    expect(warning?.message).toContain(`the namespace ${namespace} of --namespace`);
  });
});
