// The conversion webhook on the real control plane: its kube-apiserver converts through the operator on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually, generateCertificates } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { operatorSuite, runOperator } from './support/operator.js';
import { rawRequest } from './support/raw-request.js';

const env = operatorSuite({ beforeAll, afterEach, afterAll });
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const group = `c${randomBytes(3).toString('hex')}.kubeop.dev`;
const crdName = `widgets.${group}`;

interface SpecV2 {
  owner: { first: string; last?: string };
  replicas: number;
  /** Only v2 has it. */
  color?: string;
}
interface SpecV1 {
  owner: string;
  size: number;
}
type WidgetV2 = CustomObject<SpecV2>;
type WidgetV1 = CustomObject<SpecV1>;

/** What the handler was given: the apiVersion and spec of every run. */
const seen: Array<{ name: string; apiVersion: string; spec: unknown }> = [];

@CustomResource({ group, version: 'v2', plural: 'widgets', kind: 'Widget' })
class WidgetHandler extends ResourceHandler<SpecV2> {
  @OnReconcile() reconcile(widget: WidgetV2): void {
    seen.push({ name: widget.metadata.name!, apiVersion: widget.apiVersion!, spec: widget.spec });
  }

  @ConvertFrom('v1', { deprecated: 'v1 Widgets are deprecated; use v2' })
  fromV1(old: WidgetV1): WidgetV2 {
    const { owner, size } = old.spec!;
    if (owner === 'explode') throw new Error('an owner named explode cannot be converted');
    const [first, ...rest] = owner.split(' ');
    return {
      ...old,
      spec: { owner: { first: first!, ...(rest.length ? { last: rest.join(' ') } : {}) }, replicas: size },
    };
  }

  @ConvertTo('v1') toV1(widget: WidgetV2): WidgetV1 {
    const { owner, replicas } = widget.spec!;
    return { ...widget, spec: { owner: [owner.first, owner.last].filter(Boolean).join(' '), size: replicas } };
  }
}

const path = (version: string, name = '') =>
  `/apis/${group}/${version}/namespaces/${env.namespace}/widgets${name ? `/${name}` : ''}`;
const get = async (version: string, name: string) => {
  const answer = await rawRequest(env.kubeConfig, 'GET', path(version, name));
  expect([name, version, answer.status]).toEqual([name, version, 200]);
  return answer.body as unknown as CustomObject<Record<string, unknown>> & { metadata: Record<string, unknown> };
};

/** Watches `collection` from resourceVersion 0 until `names` were all sent; the apiVersion each came at. */
async function watchedApiVersions(
  client: KubeClient,
  collection: string,
  names: string[],
): Promise<Record<string, string>> {
  const abort = new AbortController();
  const { response, close } = await client.stream(collection, { watch: 'true', resourceVersion: '0' }, abort.signal);
  const seenAt: Record<string, string> = {};
  let buffered = '';
  try {
    for await (const chunk of response.body!) {
      buffered += Buffer.from(chunk).toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line) as { type: string; object: CustomObject };
        if (event.type !== 'ADDED') throw new Error(`watch ${collection}: ${line}`);
        seenAt[event.object.metadata.name!] = event.object.apiVersion!;
      }
      if (names.every((name) => name in seenAt)) break;
    }
  } finally {
    abort.abort();
    close();
  }
  return seenAt;
}

describe('the conversion webhook', () => {
  it('converts between the served versions through the operator, which handles the storage version only', async () => {
    const running = await runOperator(WidgetHandler, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      name: `conv-${env.namespace}`,
      argv: ['--create-crd'],
    });
    const client = new KubeClient(env.kubeConfig);
    try {
      const crd = await client.request<{
        spec: { conversion: { strategy: string; webhook: { clientConfig: { url?: string; caBundle?: string } } } };
      }>('GET', `${CRD_PATH}/${crdName}`);
      expect(crd.spec.conversion.strategy).toBe('Webhook');
      expect(crd.spec.conversion.webhook.clientConfig.url).toMatch(
        new RegExp(`^https://127\\.0\\.0\\.1:\\d+/convert/${crdName.replace(/\./g, '\\.')}$`),
      );
      expect(crd.spec.conversion.webhook.clientConfig.caBundle).toEqual(expect.any(String));

      // Created at the old version, read at the storage version.
      const created = await rawRequest(env.kubeConfig, 'POST', path('v1'), {
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'ada' },
        spec: { owner: 'Ada Lovelace', size: 3 },
      });
      expect(created.status).toBe(201);
      expect(created.warnings).toContain('v1 Widgets are deprecated; use v2');
      expect((await get('v2', 'ada')).spec).toEqual({ owner: { first: 'Ada', last: 'Lovelace' }, replicas: 3 });

      // Created at the storage version, read at the old one; color has no place in v1.
      const grace = {
        apiVersion: `${group}/v2`,
        kind: 'Widget',
        metadata: { name: 'grace' },
        spec: { owner: { first: 'Grace', last: 'Hopper' }, replicas: 2, color: 'red' },
      };
      expect((await rawRequest(env.kubeConfig, 'POST', path('v2'), grace)).status).toBe(201);
      const graceV1 = await get('v1', 'grace');
      expect(graceV1.apiVersion).toBe(`${group}/v1`);
      expect(graceV1.spec).toEqual({ owner: 'Grace Hopper', size: 2 });

      // Lists at both versions.
      for (const [version, specs] of [
        [
          'v1',
          [
            { owner: 'Ada Lovelace', size: 3 },
            { owner: 'Grace Hopper', size: 2 },
          ],
        ],
        [
          'v2',
          [
            { owner: { first: 'Ada', last: 'Lovelace' }, replicas: 3 },
            { owner: { first: 'Grace', last: 'Hopper' }, replicas: 2, color: 'red' },
          ],
        ],
      ] as const) {
        const list = await rawRequest(env.kubeConfig, 'GET', path(version));
        expect(list.status).toBe(200);
        const items = list.body.items as WidgetV2[];
        expect(items.map((item) => item.apiVersion)).toEqual([`${group}/${version}`, `${group}/${version}`]);
        expect(items.map((item) => item.spec)).toEqual(specs);
      }

      // Watches at both versions: the objects listed at start come converted too.
      for (const version of ['v1', 'v2'])
        expect(await watchedApiVersions(client, path(version), ['ada', 'grace'])).toEqual({
          ada: `${group}/${version}`,
          grace: `${group}/${version}`,
        });

      // The storage-only field survives a write at the old version.
      const updated = await rawRequest(env.kubeConfig, 'PUT', path('v1', 'grace'), {
        ...graceV1,
        spec: { ...graceV1.spec, size: 5 },
      });
      expect(updated.status).toBe(200);
      expect((await get('v2', 'grace')).spec).toEqual({
        owner: { first: 'Grace', last: 'Hopper' },
        replicas: 5,
        color: 'red',
      });

      // The handler only ever sees the storage version.
      await eventually(
        () =>
          seen.some((s) => s.name === 'ada') &&
          seen.some((s) => s.name === 'grace' && (s.spec as SpecV2).replicas === 5),
        'both widgets handled, grace after the write at v1',
      );
      expect(new Set(seen.map((s) => s.apiVersion))).toEqual(new Set([`${group}/v2`]));
      expect(seen.find((s) => s.name === 'ada')?.spec).toEqual({
        owner: { first: 'Ada', last: 'Lovelace' },
        replicas: 3,
      });

      // A converter that throws: the client's error names it and the object.
      const failed = await rawRequest(env.kubeConfig, 'POST', path('v1'), {
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'bad' },
        spec: { owner: 'explode', size: 1 },
      });
      expect(failed.status).toBe(500);
      expect(failed.body.message).toEqual(
        expect.stringContaining(`WidgetHandler.fromV1 (@ConvertFrom('v1')) failed on Widget ${env.namespace}/bad`),
      );
      expect(failed.body.message).toEqual(expect.stringContaining('an owner named explode cannot be converted'));
      expect(running.logText()).toContain('an owner named explode cannot be converted');
    } finally {
      await running.stop();
      await client.request('DELETE', `${CRD_PATH}/${crdName}`).catch(() => undefined);
      await client.close();
    }
  });

  it('follows a certificate change: the CRD gets the new CA bundle and conversions go on', async () => {
    const other = `d${randomBytes(3).toString('hex')}.kubeop.dev`;
    @CustomResource({ group: other, version: 'v2', plural: 'gauges', kind: 'Gauge' })
    class GaugeHandler extends ResourceHandler {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v1') fromV1(old: CustomObject): CustomObject {
        return old;
      }
      @ConvertTo('v1') toV1(gauge: CustomObject): CustomObject {
        return gauge;
      }
    }
    const certDir = await mkdtemp(join(tmpdir(), 'kubeop-conversion-certs-'));
    const install = async () => {
      const certs = await generateCertificates(await mkdtemp(join(tmpdir(), 'kubeop-conversion-ca-')));
      await copyFile(certs.files.servingCa, join(certDir, 'ca.crt'));
      await copyFile(certs.files.servingKey, join(certDir, 'tls.key'));
      await copyFile(certs.files.servingCert, join(certDir, 'tls.crt'));
      return (await readFile(join(certDir, 'ca.crt'))).toString('base64');
    };
    const first = await install();
    const running = await runOperator(GaugeHandler, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      name: `gauge-${env.namespace}`,
      argv: ['--create-crd', '--webhook-cert-dir', certDir],
    });
    const client = new KubeClient(env.kubeConfig);
    const gauges = (version: string, name = '') =>
      `/apis/${other}/${version}/namespaces/${env.namespace}/gauges${name ? `/${name}` : ''}`;
    const caBundle = async () =>
      (
        await client.request<{ spec: { conversion: { webhook: { clientConfig: { caBundle?: string } } } } }>(
          'GET',
          `${CRD_PATH}/gauges.${other}`,
        )
      ).spec.conversion.webhook.clientConfig.caBundle;
    try {
      expect(await caBundle()).toBe(first);
      const created = await rawRequest(env.kubeConfig, 'POST', gauges('v2'), {
        apiVersion: `${other}/v2`,
        kind: 'Gauge',
        metadata: { name: 'g' },
        spec: { level: 1 },
      });
      expect(created.status).toBe(201);
      expect((await rawRequest(env.kubeConfig, 'GET', gauges('v1', 'g'))).status).toBe(200);

      const second = await install();
      expect(second).not.toBe(first);
      await eventually(async () => (await caBundle()) === second, 'the CRD trusting the new CA', 60_000);
      // The API server now trusts the new CA alone: an answer proves the new certificate is served.
      const read = await eventually(async () => {
        const answer = await rawRequest(env.kubeConfig, 'GET', gauges('v1', 'g'));
        return answer.status === 200 && answer;
      }, 'a conversion through the new certificate');
      expect(read.body.apiVersion).toBe(`${other}/v1`);
      expect(running.logText()).toContain(
        `CustomResourceDefinition gauges.${other} converts through https://127.0.0.1:`,
      );
    } finally {
      await running.stop();
      await client.request('DELETE', `${CRD_PATH}/gauges.${other}`).catch(() => undefined);
      await client.close();
    }
  });
});
