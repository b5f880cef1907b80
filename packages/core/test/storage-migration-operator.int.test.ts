// The operator migrates storage by itself once elected leader: objects stored at v1 rewritten, storedVersions pruned.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnReconcile } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { operatorSuite, runOperator } from './support/operator.js';

const env = operatorSuite({ beforeAll, afterEach, afterAll });
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const group = `o${randomBytes(3).toString('hex')}.kubeop.dev`;
const crdName = `gizmos.${group}`;
const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
const version = (name: string, storage: boolean) => ({ name, served: true, storage, schema });

@CustomResource({ group, version: 'v2', plural: 'gizmos', kind: 'Gizmo' })
class GizmoHandler extends ResourceHandler {
  @OnReconcile() reconcile(): void {}
}

describe('storage migration at start', () => {
  it('runs on the leader and prunes storedVersions to the storage version', async () => {
    const client = new KubeClient(env.kubeConfig);
    try {
      await client.request('POST', CRD_PATH, {
        body: {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: crdName },
          spec: {
            group,
            scope: 'Namespaced',
            names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
            versions: [version('v1', true), version('v2', false)],
            conversion: { strategy: 'None' },
          },
        },
      });
      const collection = `/apis/${group}/v1/namespaces/${env.namespace}/gizmos`;
      await eventually(
        () =>
          client.request('GET', collection, { query: { limit: 1 } }).then(
            () => true,
            () => false,
          ),
        'gizmos served',
      );
      for (let i = 0; i < 50; i++)
        await client.request('POST', collection, {
          body: { apiVersion: `${group}/v1`, kind: 'Gizmo', metadata: { name: `g${i}` }, spec: { n: i } },
        });
      await client.request('PATCH', `${CRD_PATH}/${crdName}`, {
        contentType: 'application/merge-patch+json',
        body: { spec: { versions: [version('v1', false), version('v2', true)] } },
      });
      const stored = async () =>
        (await client.request<{ status: { storedVersions: string[] } }>('GET', `${CRD_PATH}/${crdName}`)).status
          .storedVersions;
      await eventually(async () => (await stored()).length === 2, 'storedVersions [v1, v2]');

      const running = await runOperator(GizmoHandler, {
        kubeconfigPath: env.kubeconfigPath,
        argv: ['--leader-elect', '--leader-election-namespace', env.namespace],
      });
      await eventually(async () => (await stored()).join() === 'v2', 'storedVersions pruned to [v2]');
      expect(running.logText()).toMatch(new RegExp(`storage migration of ${crdName} done: 50 objects at v2`));
      await running.stop();
    } finally {
      await client.request('DELETE', `${CRD_PATH}/${crdName}`).catch(() => undefined);
      await client.close();
    }
  });
});
