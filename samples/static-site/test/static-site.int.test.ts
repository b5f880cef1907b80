// The StaticSite operator, run as users run it (its compiled main.js): a Deployment and a Service from one object,
// repaired when edited, and the Deployment's observed state (from kube-controller-manager) in the site's status.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { killOperatorProcesses, type OperatorProcess, spawnOperator } from '@kubeop/testing/operator';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const resource = { group: 'samples.kubeop.dev', version: 'v1', plural: 'staticsites' };

let env: TestEnvironment;
let operator: OperatorProcess;
beforeAll(async () => {
  env = await testEnvironment();
  operator = spawnOperator(MAIN, {
    args: ['--create-crd', '--namespace', env.namespace],
    env: { KUBECONFIG: env.kubeconfigPath },
  });
  await operator.waitForOutput(/watching staticsites\.samples\.kubeop\.dev/, 60_000);
});
afterAll(() => killOperatorProcesses());

interface Site {
  metadata: { uid: string; generation: number };
  status?: {
    state?: string;
    replicas?: number;
    observedGeneration?: number;
    conditions?: Array<{ type: string; status: string; reason: string }>;
  };
}

describe('StaticSite', () => {
  it('owns a Deployment and a Service, repairs them, and reports the Deployment in its conditions', async () => {
    const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
    const apps = env.kubeConfig.makeApiClient(AppsV1Api);
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    const namespace = env.namespace;
    const site = (await custom.createNamespacedCustomObject({
      ...resource,
      namespace,
      body: {
        apiVersion: 'samples.kubeop.dev/v1',
        kind: 'StaticSite',
        metadata: { name: 'docs' },
        spec: { image: 'example.com/site:1', replicas: 2, port: 8080 },
      },
    })) as Site;

    const deployment = await eventually(
      () => apps.readNamespacedDeployment({ name: 'docs', namespace }).catch(() => undefined),
      'the Deployment',
    );
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.template.spec?.containers[0]).toMatchObject({
      image: 'example.com/site:1',
      ports: [{ name: 'http', containerPort: 8080 }],
    });
    expect(deployment.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'StaticSite', uid: site.metadata.uid, controller: true }),
    ]);
    const service = await eventually(
      () => core.readNamespacedService({ name: 'docs', namespace }).catch(() => undefined),
      'the Service',
    );
    expect(service.spec?.ports).toEqual([expect.objectContaining({ port: 80, targetPort: 'http' })]);
    expect(service.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'StaticSite', uid: site.metadata.uid }),
    ]);

    // No node runs pods here: the Deployment controller (in the shared control plane) reports it never available.
    const get = () => custom.getNamespacedCustomObject({ ...resource, namespace, name: 'docs' }) as Promise<Site>;
    const reported = await eventually(async () => {
      const now = await get();
      const available = now.status?.conditions?.find((c) => c.type === 'Available');
      return available?.status === 'False' ? now : undefined;
    }, "the Deployment's observed state in the site's status");
    expect(reported.status).toMatchObject({ state: 'progressing', observedGeneration: 1 });
    expect(reported.status?.conditions?.find((c) => c.type === 'Available')?.reason).toBe('MinimumReplicasUnavailable');
    expect(reported.status?.conditions?.find((c) => c.type === 'Progressing')?.status).toBe('True');

    // Scaled by hand: the site's spec wins.
    await apps.patchNamespacedDeployment(
      { name: 'docs', namespace, body: { spec: { replicas: 5 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(
      async () => (await apps.readNamespacedDeployment({ name: 'docs', namespace })).spec?.replicas === 2,
      'the replicas to be restored',
    );
  });
});
