// ensureCrd with versions on the real control plane: a version added (webhook conversion, deprecation) and removed again.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { crdManifest, describeHandlerClass, ensureCrd, KubeClient, PERMISSIVE_SCHEMA } from '@kubeop/core/tooling';
import { generateCertificates, testEnvironment, type TestEnvironment } from '@kubeop/testing';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const group = `v${randomBytes(3).toString('hex')}.kubeop.dev`;

@CustomResource({ group, version: 'v2', plural: 'widgets', kind: 'Widget' })
class WidgetHandler extends ResourceHandler {
  @OnReconcile() reconcile(): void {}
  @ConvertFrom('v1', { deprecated: 'v1 is going away' }) fromV1(): void {}
  @ConvertTo('v1') toV1(): void {}
}
const description = describeHandlerClass(WidgetHandler);

interface Crd {
  spec: {
    versions: Array<{ name: string; storage: boolean; deprecated?: boolean; deprecationWarning?: string }>;
    conversion?: { strategy: string };
  };
  status: { storedVersions: string[] };
}

let env: TestEnvironment;
let client: KubeClient;
beforeAll(async () => {
  env = await testEnvironment();
  client = new KubeClient(env.kubeConfig);
});
afterAll(async () => {
  await client.request('DELETE', `${CRD_PATH}/widgets.${group}`).catch(() => undefined);
  await client.close();
});

describe('ensureCrd with several versions', () => {
  it('adds a version with --update-crd, then removes it once it is no longer declared', async () => {
    const single = crdManifest(description.resource);
    expect(await ensureCrd(client, description.resource, { manifest: single })).toEqual({ outcome: 'created' });

    const both = crdManifest(
      description.resource,
      PERMISSIVE_SCHEMA,
      description.versions.map((v) => ({ ...v, schema: PERMISSIVE_SCHEMA })),
    );
    expect(await ensureCrd(client, description.resource, { manifest: both, update: true })).toEqual({
      outcome: 'updated',
      difference: 'version v1 is not served',
    });
    const added = await client.request<Crd>('GET', `${CRD_PATH}/widgets.${group}`);
    expect(added.spec.versions).toEqual([
      expect.objectContaining({ name: 'v2', storage: true }),
      expect.objectContaining({ name: 'v1', storage: false, deprecated: true, deprecationWarning: 'v1 is going away' }),
    ]);
    expect(added.spec.conversion?.strategy).toBe('Webhook');

    expect(await ensureCrd(client, description.resource, { manifest: single, update: true })).toEqual({
      outcome: 'updated',
      difference: 'version v1 is no longer declared',
    });
    const removed = await client.request<Crd>('GET', `${CRD_PATH}/widgets.${group}`);
    expect(removed.spec.versions.map((v) => v.name)).toEqual(['v2']);
    expect(removed.status.storedVersions).toEqual(['v2']);
  });

  it('keeps the client config the operator set when --update-crd applies a CRD with the placeholder', async () => {
    const other = `w${randomBytes(3).toString('hex')}.kubeop.dev`;
    const resource = { ...description.resource, group: other };
    const name = `widgets.${other}`;
    const versions = description.versions.map((v) => ({ ...v, schema: PERMISSIVE_SCHEMA }));
    try {
      expect(
        await ensureCrd(client, resource, { manifest: crdManifest(resource, PERMISSIVE_SCHEMA, versions) }),
      ).toEqual({ outcome: 'created' });
      const { servingCaPem } = await generateCertificates(await mkdtemp(join(tmpdir(), 'kubeop-crd-ca-')));
      const caBundle = Buffer.from(servingCaPem).toString('base64');
      const service = { namespace: 'default', name: 'op-webhook', port: 443, path: `/convert/${name}` };
      await client.request('PATCH', `${CRD_PATH}/${name}`, {
        contentType: 'application/merge-patch+json',
        body: { spec: { conversion: { webhook: { clientConfig: { url: null, service, caBundle } } } } },
      });
      const stricter = {
        type: 'object',
        properties: { spec: { type: 'object', properties: { n: { type: 'integer' } } } },
      };
      expect(
        await ensureCrd(client, resource, { manifest: crdManifest(resource, stricter, versions), update: true }),
      ).toMatchObject({ outcome: 'updated' });
      const updated = await client.request<{
        spec: {
          versions: Array<{ name: string; schema: { openAPIV3Schema: unknown } }>;
          conversion: { webhook: { clientConfig: unknown } };
        };
      }>('GET', `${CRD_PATH}/${name}`);
      expect(updated.spec.versions.find((v) => v.name === 'v2')?.schema.openAPIV3Schema).toEqual(stricter);
      expect(updated.spec.conversion.webhook.clientConfig).toEqual({ service, caBundle });
    } finally {
      await client.request('DELETE', `${CRD_PATH}/${name}`).catch(() => undefined);
    }
  });
});
