// this.crdApi and this.kubeConfig, which load @kubernetes/client-node only for the handlers that use them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { objects, operatorSuite, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

@CustomResource(testResource)
class ClientNodeHandler extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    // Read back through client-node's CustomObjectsApi, built from kubeop's own kubeconfig loader.
    const read = (await this.crdApi.getNamespacedCustomObject({
      group: testResource.group,
      version: testResource.version,
      namespace: o.metadata.namespace!,
      plural: testResource.plural,
      name: o.metadata.name,
    })) as CustomObject;
    this.status = { state: 'done', uid: read.metadata.uid, server: this.kubeConfig.getCurrentCluster()?.server };
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [ClientNodeHandler] });

describe('this.crdApi and this.kubeConfig', () => {
  it("work in a handler that uses them, over the operator's kubeconfig", async () => {
    await runOperator([ClientNodeHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const items = objects(env.kubeConfig, testResource, env.namespace);
    const created = await items.create('through-client-node');
    const done = await items.waitFor('through-client-node', (o) => o.status?.state === 'done');
    expect(done.status).toEqual({
      state: 'done',
      uid: created.metadata.uid,
      server: env.kubeConfig.getCurrentCluster()!.server,
    });
  });
});
