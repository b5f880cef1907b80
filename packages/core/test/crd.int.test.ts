import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { CrdNotInstalledError, ResourceHandler } from '@kubeop/core';
import { prepareOperator } from '@kubeop/core/tooling';
import { operatorSuite, runOperator, stopAllOperators } from './support/operator.js';

const env = operatorSuite({ beforeAll, afterEach, afterAll });

/** A handler class of a resource no other test uses, so its CRD starts out missing. */
function freshResource(options: { scope?: 'Namespaced' | 'Cluster'; shortNames?: string[] } = {}) {
  const suffix = randomBytes(3).toString('hex');
  const resource = {
    group: 'crd.kubeop.dev',
    version: 'v1beta1',
    plural: `gadgets${suffix}`,
    kind: `Gadget${suffix.toUpperCase()}`,
    ...options,
  };
  @CustomResource(resource)
  class Handler extends ResourceHandler {
    @OnAdded() async added() {}
  }
  return { Handler, name: `${resource.plural}.${resource.group}` };
}

describe('--create-crd', () => {
  it('creates a missing CRD from the decorator and waits until it is Established', async () => {
    const { Handler, name } = freshResource({ shortNames: ['gd'] });
    await runOperator([Handler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--create-crd'],
    });
    const crd = await env.kubeConfig.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name });
    expect(crd.status?.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Established', status: 'True' })]),
    );
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.shortNames).toEqual(['gd']);
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.subresources?.status])).toEqual([
      ['v1beta1', true, true, {}],
    ]);
  });

  it('leaves an existing CRD as it is', async () => {
    const { Handler, name } = freshResource();
    await runOperator([Handler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--create-crd'],
    });
    const api = env.kubeConfig.makeApiClient(ApiextensionsV1Api);
    const before = await api.readCustomResourceDefinition({ name });
    await stopAllOperators();
    const running = await runOperator([Handler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--create-crd'],
    });
    const after = await api.readCustomResourceDefinition({ name });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(running.logText()).toContain(`CustomResourceDefinition ${name} already exists`);
  });

  it('creates a cluster-scoped CRD, and refuses --namespace for it', async () => {
    const { Handler, name } = freshResource({ scope: 'Cluster' });
    await runOperator([Handler], { kubeconfigPath: env.kubeconfigPath, argv: ['--create-crd'] });
    const crd = await env.kubeConfig.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name });
    expect(crd.spec.scope).toBe('Cluster');
    expect(() => prepareOperator({ handlers: [Handler], argv: ['--namespace', 'x'], env: {} })).toThrow(
      `--namespace cannot be used: ${name} is cluster-scoped`,
    );
  });
});

describe('without --create-crd', () => {
  it('fails with an error naming the missing CRD and the way out', async () => {
    const { Handler, name } = freshResource();
    const error = await runOperator([Handler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CrdNotInstalledError);
    expect((error as Error).message).toBe(
      `The CustomResourceDefinition ${name} (version v1beta1) is not installed in the cluster. ` +
        'Install it (kubeop crd | kubectl apply -f -, or the manifests of kubeop manifests) or start the operator with --create-crd.',
    );
  });
});
