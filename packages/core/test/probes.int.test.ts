// /readyz and /healthz while the operator can do nothing: the CRD deleted, the token revoked, the API server down.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiextensionsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { type ControlPlane, createTestNamespace, eventually, startControlPlane } from '@kubeop/testing';
import { installCrd, operatorSuite, type RunningOperator, runOperator, stopAllOperators } from './support/operator.js';
import { serviceAccountKubeconfig } from './support/service-account.js';
import { testResource } from './support/test-resource.js';

const resource = { ...testResource, plural: 'probedwidgets', singular: 'probedwidget', kind: 'ProbedWidget' };
const NAME = `probedwidgets.${testResource.group}`;

@CustomResource(resource)
class Probed extends ResourceHandler {
  @OnAdded() async added() {}
}

// Short tolerances, so a failure shows within seconds; probes on free ports.
const ARGV = [
  '--health-probe-bind-address',
  '127.0.0.1:0',
  '--watch-failure-tolerance',
  '1',
  '--unauthorized-tolerance',
  '1',
];

function probesOf(running: RunningOperator): (path: string) => Promise<{ status: number; body: string }> {
  const match = /serving probes on (http:\/\/[^/ ]+)/.exec(running.logText());
  if (!match) throw new Error('no probe server in the log');
  return async (path) => {
    const response = await fetch(`${match[1]}${path}`);
    return { status: response.status, body: await response.text() };
  };
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Probed] });

describe('the CRD deleted', () => {
  it('fails /readyz, naming the resource, while /healthz stays 200; ready again once the CRD is back', async () => {
    const running = await runOperator([Probed], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ARGV,
    });
    const probe = probesOf(running);
    expect((await probe('/readyz')).status).toBe(200);
    const crds = env.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await crds.deleteCustomResourceDefinition({ name: NAME });
    const unready = await eventually(
      async () => {
        const ready = await probe('/readyz');
        return ready.status === 503 ? ready.body : undefined;
      },
      '/readyz to fail',
      60_000,
    );
    expect(unready).toContain(`[-]watches failed: ${NAME} cannot be listed or watched for`);
    expect(unready).toContain('[+]synced ok');
    expect(await probe('/healthz')).toEqual({ status: 200, body: 'ok' });

    // The CRD object may linger while its objects are cleaned up; installCrd leaves an existing one alone.
    await eventually(
      () =>
        crds.readCustomResourceDefinition({ name: NAME }).then(
          () => false,
          () => true,
        ),
      'the CRD to be gone',
    );
    await installCrd(env.kubeConfig, Probed);
    await eventually(async () => (await probe('/readyz')).status === 200, '/readyz to pass again');
  });
});

describe('the token revoked', () => {
  it('fails /healthz (a restart reads the credentials again) and /readyz', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'revoked');
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, namespace, 'operator', [
      { apiGroups: [testResource.group], resources: ['probedwidgets'], verbs: ['get', 'list', 'watch'] },
    ]);
    // Watches end every 2 s, so the next one meets the revoked token at once.
    const running = await runOperator([Probed], {
      kubeconfigPath,
      namespace,
      argv: [...ARGV, '--watch-timeout', '2'],
    });
    const probe = probesOf(running);
    expect((await probe('/healthz')).status).toBe(200);
    // A bound token dies with its ServiceAccount.
    await env.kubeConfig.makeApiClient(CoreV1Api).deleteNamespacedServiceAccount({ name: 'operator', namespace });
    const unhealthy = await eventually(
      async () => {
        const health = await probe('/healthz?verbose');
        return health.status === 503 ? health.body : undefined;
      },
      '/healthz to fail',
      60_000,
    );
    expect(unhealthy).toMatch(
      /\[-\]credentials failed: the API server has refused the credentials \(401 Unauthorized\) for \d+ s/,
    );
    expect(unhealthy).toContain('[+]event-loop ok');
    const ready = await eventually(
      async () => {
        const r = await probe('/readyz');
        return r.status === 503 ? r.body : undefined;
      },
      '/readyz to fail',
      60_000,
    );
    expect(ready).toContain(`[-]watches failed: ${NAME} cannot be listed or watched`);
    expect(ready).toContain('401');
  });
});

describe('the API server down', () => {
  let plane: ControlPlane;
  beforeAll(async () => {
    plane = await startControlPlane();
    await installCrd(plane.kubeConfig, Probed);
  });
  afterAll(async () => {
    await stopAllOperators();
    await plane?.stop();
  });

  it('fails /readyz while /healthz stays 200 (a restart cannot bring it back); ready again once it is up', async () => {
    const running = await runOperator([Probed], { kubeconfigPath: plane.kubeconfigPath, argv: ARGV });
    const probe = probesOf(running);
    expect((await probe('/readyz')).status).toBe(200);
    await plane.stopApiServer();
    const unready = await eventually(
      async () => {
        const ready = await probe('/readyz');
        return ready.status === 503 ? ready.body : undefined;
      },
      '/readyz to fail',
      60_000,
    );
    expect(unready).toContain(`[-]watches failed: ${NAME} cannot be listed or watched for`);
    expect((await probe('/healthz')).status).toBe(200);
    await plane.startApiServer();
    await eventually(async () => (await probe('/readyz')).status === 200, '/readyz to pass again', 120_000);
    expect((await probe('/healthz')).status).toBe(200);
  });
});
