// The webhook share of `kubeop manifests` on the real control plane: everything applies (server-side dry run where
// the object would act), and the ServiceAccount's narrowed RBAC is enough for the operator to make its Secret and
// register its webhooks, which the API server then calls.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnValidate } from '@kubeop/decorators';
import { Denied, KubeApiError, ObjectClient } from '@kubeop/core';
import { describeHandlerClass, ensureCrd, KubeClient } from '@kubeop/core/tooling';
import { testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { runOperator, serviceAccountKubeconfig, stopAllOperators } from '@kubeop/testing/operator';
import { type Manifest, operatorManifests } from '../src/manifests/manifests.js';

const resource = { group: 'manifests-webhooks.it.kubeop.dev', version: 'v1', plural: 'valves', kind: 'Valve' } as const;

@CustomResource(resource)
class Valves {
  @OnValidate() check(valve: { spec?: { open?: boolean } }): void {
    if (valve.spec?.open) throw new Denied('a valve starts closed', { field: 'spec.open' });
  }
}

let env: TestEnvironment;
let admin: KubeClient;
let applier: ObjectClient;
beforeAll(async () => {
  env = await testEnvironment();
  admin = new KubeClient(env.kubeConfig);
  applier = new ObjectClient(admin, { fieldManager: 'manifests-test' });
  await ensureCrd(admin, describeHandlerClass(Valves).resource);
});
afterEach(() => stopAllOperators());
afterAll(() => admin.close());

const manifestsFor = (name: string, certManager: boolean): Manifest[] =>
  operatorManifests([describeHandlerClass(Valves)], {
    name,
    operatorNamespace: env.namespace,
    image: 'example.com/valve-operator:0.1.0',
    replicas: 2,
    leaderElect: true,
    watchNamespace: env.namespace,
    createCrd: false,
    updateCrd: false,
    certManager,
  });

/** What would act on the cluster (configurations, the Deployment) as a server-side dry run; the rest for real. */
async function install(manifests: Manifest[]): Promise<void> {
  for (const manifest of manifests) {
    if (manifest.kind === 'CustomResourceDefinition') continue;
    const dryRun = /WebhookConfiguration$|^Deployment$/.test(manifest.kind);
    if (dryRun) {
      const [group, version] = (manifest.apiVersion as string).split('/') as [string, string];
      const plural = `${manifest.kind.toLowerCase()}s`;
      const namespaced = manifest.metadata.namespace ? `/namespaces/${manifest.metadata.namespace}` : '';
      await admin.request('PATCH', `/apis/${group}/${version}${namespaced}/${plural}/${manifest.metadata.name}`, {
        body: manifest,
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'manifests-test', dryRun: 'All', force: true },
      });
      continue;
    }
    await applier.apply(manifest as never);
  }
}

describe('kubeop manifests with webhooks', () => {
  it('apply, and their narrowed RBAC lets the operator make its Secret and register its webhooks', async () => {
    const name = 'valve-operator';
    const manifests = manifestsFor(name, false);
    expect(manifests.map((m) => m.kind)).toEqual(
      expect.arrayContaining(['ValidatingWebhookConfiguration', 'Service', 'ClusterRole', 'Role', 'Deployment']),
    );
    const deployment = manifests.find((m) => m.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: Array<{ args: string[]; ports: Array<{ name: string }> }> } } };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.args).toEqual(
      expect.arrayContaining(['--install-webhooks', `--webhook-service=${env.namespace}/${name}-webhook`]),
    );
    expect(container.ports.map((p) => p.name)).toContain('webhook');
    await install(manifests);

    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, env.namespace, name);
    // No --webhook-service: the local API server calls the operator on loopback, through what the account registered.
    const running = await runOperator(Valves, {
      kubeconfigPath,
      namespace: env.namespace,
      name,
      argv: ['--operator-namespace', env.namespace],
    });
    const secret = await admin.request<{ type: string }>(
      'GET',
      `/api/v1/namespaces/${env.namespace}/secrets/${name}-webhook-tls`,
    );
    expect(secret.type).toBe('kubernetes.io/tls');
    const objects = new ObjectClient(admin, { fieldManager: 'manifests-test' });
    const refused = await objects
      .apply({
        apiVersion: `${resource.group}/v1`,
        kind: 'Valve',
        metadata: { name: 'v1', namespace: env.namespace },
        spec: { open: true },
      } as never)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).message).toContain('a valve starts closed');
    expect(running.logText()).not.toMatch(/forbidden/i);
    await running.stop();
    for (const plural of ['validatingwebhookconfigurations'])
      await admin.request('DELETE', `/apis/admissionregistration.k8s.io/v1/${plural}/${name}`);
  });

  it('with --cert-manager: the inject-ca-from annotation and the mounted Secret instead of the self-managed one', async () => {
    const name = 'valve-operator-cm';
    const manifests = manifestsFor(name, true);
    const configuration = manifests.find((m) => m.kind === 'ValidatingWebhookConfiguration')!;
    expect(configuration.metadata).toMatchObject({
      annotations: { 'cert-manager.io/inject-ca-from': `${env.namespace}/${name}-webhook` },
    });
    expect(manifests.filter((m) => m.kind.startsWith('Certificate') || m.kind === 'Issuer').map((m) => m.kind)).toEqual(
      ['Issuer', 'Certificate'],
    );
    expect(manifests.some((m) => m.metadata.name === `${name}-webhook` && m.kind === 'Role')).toBe(false);
    const deployment = JSON.stringify(manifests.find((m) => m.kind === 'Deployment'));
    expect(deployment).toContain('--webhook-cert-dir=/tmp/k8s-webhook-server/serving-certs');
    expect(deployment).not.toContain('--install-webhooks');
    // cert-manager's kinds are not installed on the test control plane; everything else applies.
    await install(manifests.filter((m) => !(m.apiVersion as string).startsWith('cert-manager.io/')));
  });
});
