// The manifests of `kubeop manifests` on the real control plane: they apply (the Deployment as a server-side dry run:
// no node runs pods here), their ServiceAccount alone runs the operator through every handler, finalizer, status write,
// Event and Lease, and without one of their rules the operator names the verb and resource it was refused.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CoordinationV1Api } from '@kubernetes/client-node';
import { CustomResource, OnDeleted, OnReconcile, Owns } from '@kubeop/decorators';
import { type CustomObject, ObjectClient, ResourceHandler } from '@kubeop/core';
import { describeHandlerClass, ensureCrd, KubeClient } from '@kubeop/core/tooling';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { eventOn, objects, runOperator, serviceAccountKubeconfig, stopAllOperators } from '@kubeop/testing/operator';
import { type Manifest, operatorManifests } from '../src/manifests/manifests.js';
import type { PolicyRule } from '../src/manifests/rbac.js';

const resource = { group: 'manifests.it.kubeop.dev', version: 'v1', plural: 'gadgets', kind: 'Gadget' } as const;
const deletedNames: string[] = [];
let failOnce = true;

@CustomResource(resource)
@Owns({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' })
class GadgetHandler extends ResourceHandler<{ value?: string }> {
  @OnReconcile() async reconcile(gadget: CustomObject<{ value?: string }>) {
    if (failOnce) {
      failOnce = false;
      throw new Error('first attempt fails on purpose'); // a Warning Event
    }
    // A handler reads its own child (as one keeping a generated password stable would): `get` on an owned kind.
    const name = `${gadget.metadata.name}-config`;
    const previous = await this.client.get<{ data?: { created?: string } } & CustomObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name,
      namespace: gadget.metadata.namespace,
    });
    await this.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      data: { value: gadget.spec?.value ?? '', created: previous?.data?.created ?? 'now' },
    });
    this.status = { state: 'ready' };
  }
  @OnDeleted() async deleted(gadget: CustomObject) {
    deletedNames.push(gadget.metadata.name);
  }
}

let env: TestEnvironment;
let admin: KubeClient;
let applier: ObjectClient;
beforeAll(async () => {
  env = await testEnvironment();
  admin = new KubeClient(env.kubeConfig);
  applier = new ObjectClient(admin, { fieldManager: 'manifests-test' });
});
afterEach(() => stopAllOperators());
afterAll(() => admin.close());

function manifestsFor(name: string): Manifest[] {
  return operatorManifests([describeHandlerClass(GadgetHandler)], {
    name,
    operatorNamespace: env.namespace,
    image: 'example.com/gadget-operator:0.1.0',
    replicas: 2,
    leaderElect: true,
    watchNamespace: env.namespace,
    createCrd: false,
    updateCrd: false,
  });
}

/** Applies every manifest as an administrator would: the CRD until Established, the Deployment only as a dry run. */
async function install(manifests: Manifest[]): Promise<void> {
  for (const manifest of manifests) {
    if (manifest.kind === 'CustomResourceDefinition') {
      await ensureCrd(admin, describeHandlerClass(GadgetHandler).resource, { manifest });
      continue;
    }
    if (manifest.kind === 'Deployment') {
      const path = `/apis/apps/v1/namespaces/${manifest.metadata.namespace}/deployments/${manifest.metadata.name}`;
      await admin.request('PATCH', path, {
        body: manifest,
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'manifests-test', dryRun: 'All', force: true },
      });
      continue;
    }
    await applier.apply(manifest as never);
  }
}

const operatorArgs = (namespace: string) => [
  '--leader-elect',
  '--leader-election-namespace',
  namespace,
  '--retry-delay',
  '0.2',
];

describe('kubeop manifests', () => {
  it('apply, and their ServiceAccount runs the operator through handlers, finalizer, status, Events and Lease', async () => {
    const name = 'gadget-operator';
    await install(manifestsFor(name));
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, env.namespace, name);
    const running = await runOperator(GadgetHandler, {
      kubeconfigPath,
      namespace: env.namespace,
      argv: operatorArgs(env.namespace),
    });
    const items = objects(env.kubeConfig, resource, env.namespace);
    await items.create('g1', { value: 'v' });

    const ready = await eventually(async () => {
      const object = await items.get('g1');
      return object?.status?.state === 'ready' ? object : undefined;
    }, 'the status written by the operator');
    expect(ready.metadata.finalizers).toContain(`${resource.group}/finalizer`);
    const child = await env.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: 'g1-config', namespace: env.namespace });
    expect(child.data).toEqual({ value: 'v', created: 'now' });
    await eventOn(env.kubeConfig, env.namespace, 'g1', 'HandlerFailed');
    const leases = await env.kubeConfig
      .makeApiClient(CoordinationV1Api)
      .listNamespacedLease({ namespace: env.namespace });
    expect(leases.items.map((lease) => lease.spec?.holderIdentity).filter(Boolean)).toHaveLength(1);

    await items.delete('g1');
    await eventually(async () => (await items.get('g1')) === undefined, 'the object to be deleted past its finalizer');
    expect(deletedNames).toContain('g1');
    expect(running.logText()).not.toMatch(/forbidden/i);
  });

  it('without the rule for the status subresource, the operator names the verb and resource it was refused', async () => {
    const name = 'gadget-operator-no-status';
    const manifests = manifestsFor(name).map((manifest) => {
      if (manifest.kind !== 'Role' || manifest.metadata.name !== name) return manifest;
      const rules = (manifest.rules as PolicyRule[]).filter(
        (rule) => !rule.resources.includes(`${resource.plural}/status`),
      );
      return { ...manifest, rules };
    });
    // The CRD is shared with the first test; applying it again changes nothing.
    await install(manifests);
    const kubeconfigPath = await serviceAccountKubeconfig(env.kubeConfig, env.namespace, name);
    const running = await runOperator(GadgetHandler, {
      kubeconfigPath,
      namespace: env.namespace,
      argv: [...operatorArgs(env.namespace), '--leader-election-id', name],
    });
    await objects(env.kubeConfig, resource, env.namespace).create('g2', { value: 'v' });
    const refusal = await eventually(
      () => running.logs.find((line) => line.includes('403') || /forbidden/i.test(line)),
      'the refused status write in the log',
    );
    expect(refusal).toMatch(/PATCH/);
    expect(refusal).toContain(`/${resource.plural}/g2/status`);
    expect(refusal).toContain(`cannot patch resource \\"${resource.plural}/status\\"`);
  });
});
