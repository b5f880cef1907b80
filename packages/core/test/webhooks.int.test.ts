// Admission webhooks on the real control plane: its kube-apiserver calls the operator on 127.0.0.1, as envtest does.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnMutate, OnValidate, Resource } from '@kubeop/decorators';
import { type AdmissionRequest, Denied } from '@kubeop/core';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { operatorSuite, runOperator } from './support/operator.js';
import { rawRequest } from './support/raw-request.js';

const widgets = { group: 'webhooks.it.kubeop.dev', version: 'v1', plural: 'gadgets', kind: 'Gadget' } as const;
type Gadget = { metadata: { name: string }; spec: { size: number; color?: string } };
const calls: Array<{ name: string; operation: string; dryRun: boolean; oldSize: number | undefined }> = [];

@CustomResource(widgets)
class Gadgets {
  @OnValidate()
  check(gadget: Gadget, request: AdmissionRequest<Gadget>): void {
    calls.push({
      name: gadget.metadata.name,
      operation: request.operation,
      dryRun: request.dryRun,
      oldSize: request.oldObject?.spec.size,
    });
    if (gadget.spec.size % 2) throw new Denied('spec.size must be even', { field: 'spec.size' });
    if (gadget.spec.size > 10) request.warn(`size ${gadget.spec.size} is large`);
    const old = request.oldObject?.spec.size;
    if (old !== undefined && gadget.spec.size < old)
      throw new Denied(`spec.size cannot shrink from ${old} to ${gadget.spec.size}`, { field: 'spec.size' });
  }

  @OnMutate()
  defaults(gadget: Gadget): void {
    gadget.spec.color ??= 'blue';
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Gadgets] });
const gadgetsPath = () => `/apis/${widgets.group}/v1/namespaces/${env.namespace}/gadgets`;
const gadget = (name: string, spec: Gadget['spec']) => ({
  apiVersion: `${widgets.group}/v1`,
  kind: 'Gadget',
  metadata: { name },
  spec,
});

describe('@OnValidate and @OnMutate on a custom resource', () => {
  it('denies, warns, sees the old object, defaults, and leaves dry runs unstored', async () => {
    await runOperator(Gadgets, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      name: `wh-${env.namespace}`,
    });

    const denied = await rawRequest(env.kubeConfig, 'POST', gadgetsPath(), gadget('odd', { size: 3 }));
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(
      `admission webhook "check.gadgets.${widgets.group}" denied the request: spec.size must be even`,
    );
    expect(denied.body.details).toMatchObject({ causes: [{ field: 'spec.size' }] });

    const large = await rawRequest(env.kubeConfig, 'POST', gadgetsPath(), gadget('large', { size: 12 }));
    expect(large.status).toBe(201);
    expect(large.warnings).toContain('size 12 is large');
    expect(large.body.spec).toEqual({ size: 12, color: 'blue' });

    const shrink = await rawRequest(
      env.kubeConfig,
      'PATCH',
      `${gadgetsPath()}/large`,
      { spec: { size: 4 } },
      'application/merge-patch+json',
    );
    expect(shrink.status).toBe(403);
    expect(shrink.body.message).toContain('spec.size cannot shrink from 12 to 4');
    expect(calls.find((c) => c.name === 'large' && c.operation === 'UPDATE')?.oldSize).toBe(12);

    // A replacement without the defaulted field gets it again.
    const current = (await rawRequest(env.kubeConfig, 'GET', `${gadgetsPath()}/large`)).body as Gadget & {
      metadata: Record<string, unknown>;
    };
    const replaced = await rawRequest(env.kubeConfig, 'PUT', `${gadgetsPath()}/large`, {
      ...current,
      spec: { size: 14 },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.spec).toEqual({ size: 14, color: 'blue' });
    const red = await rawRequest(
      env.kubeConfig,
      'PATCH',
      `${gadgetsPath()}/large`,
      { spec: { color: 'red' } },
      'application/merge-patch+json',
    );
    expect(red.body.spec).toEqual({ size: 14, color: 'red' });

    const dry = await rawRequest(env.kubeConfig, 'POST', `${gadgetsPath()}?dryRun=All`, gadget('dry', { size: 2 }));
    expect(dry.status).toBe(201);
    expect(calls.filter((c) => c.name === 'dry')).toEqual([
      { name: 'dry', operation: 'CREATE', dryRun: true, oldSize: undefined },
    ]);
    expect((await rawRequest(env.kubeConfig, 'GET', `${gadgetsPath()}/dry`)).status).toBe(404);
  });
});

const label = `webhook-it-${Math.random().toString(36).slice(2, 8)}`;

@Resource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', labelSelector: `${label}=guarded` })
class GuardedMaps {
  @OnValidate() check(map: { data?: Record<string, string> }): void {
    if (map.data?.forbidden) throw new Denied('data.forbidden is not allowed', { field: 'data.forbidden' });
  }
}

const configMap = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data: { forbidden: 'yes' },
});

describe('a webhook on a built-in kind', () => {
  it('checks ConfigMaps carrying the label everywhere but in the operator’s own namespace', async () => {
    const own = await createTestNamespace(env.kubeConfig, 'wh-own');
    await runOperator(GuardedMaps, {
      kubeconfigPath: env.kubeconfigPath,
      name: `wh-maps-${env.namespace}`,
      argv: ['--operator-namespace', own],
    });
    const create = (namespace: string, name: string, labels: Record<string, string>) =>
      rawRequest(env.kubeConfig, 'POST', `/api/v1/namespaces/${namespace}/configmaps`, configMap(name, labels));
    const guarded = await create(env.namespace, 'guarded', { [label]: 'guarded' });
    expect(guarded.status).toBe(403);
    expect(guarded.body.message).toContain('data.forbidden is not allowed');
    expect((await create(env.namespace, 'unlabelled', { other: 'x' })).status).toBe(201);
    expect((await create(own, 'own', { [label]: 'guarded' })).status).toBe(201);
  });
});

@Resource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', labelSelector: `${label}=fail` })
class FailMaps {
  @OnValidate({ failurePolicy: 'Fail' }) check(): void {}
}
@Resource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', labelSelector: `${label}=ignore` })
class IgnoreMaps {
  @OnValidate({ failurePolicy: 'Ignore' }) check(): void {}
}

describe('failurePolicy while the operator is down', () => {
  it('Fail refuses, Ignore lets the object through', async () => {
    const options = { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace };
    const fail = await runOperator(FailMaps, { ...options, name: `wh-fail-${env.namespace}` });
    const ignore = await runOperator(IgnoreMaps, { ...options, name: `wh-ignore-${env.namespace}` });
    const create = (name: string, value: string) =>
      rawRequest(
        env.kubeConfig,
        'POST',
        `/api/v1/namespaces/${env.namespace}/configmaps`,
        configMap(name, { [label]: value }),
      );
    expect((await create('up-fail', 'fail')).status).toBe(201);
    // Stopped, but the configurations stay registered (the kit removes them only in its own stop()).
    await fail.operator.stop();
    await ignore.operator.stop();
    const refused = await create('down-fail', 'fail');
    expect(refused.status).toBe(500);
    expect(refused.body.message).toContain('failed calling webhook');
    expect((await create('down-ignore', 'ignore')).status).toBe(201);
  });
});

describe('two replicas', () => {
  it('both serve admission with the certificate of their shared Secret, leader and standby alike', async () => {
    const options = {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      name: `wh-pair-${env.namespace}`,
      argv: [
        ...['--leader-elect', '--leader-election-namespace', env.namespace, '--operator-namespace', env.namespace],
        ...['--health-probe-bind-address', '127.0.0.1:0'],
      ],
      waitSynced: false,
    };
    const first = await runOperator(Gadgets, options);
    const second = await runOperator(Gadgets, options);
    const port = (logs: string) => Number(/admission webhook\(s\) on https:\/\/[^:]*:(\d+)/.exec(logs)?.[1]);
    const ports = [port(first.logText()), port(second.logText())];
    expect(ports.every((p) => p > 0) && ports[0] !== ports[1]).toBe(true);
    const registered = await rawRequest(
      env.kubeConfig,
      'GET',
      `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/wh-pair-${env.namespace}`,
    );
    const webhooks = registered.body.webhooks as Array<{ clientConfig: { caBundle: string; url: string } }>;
    const ca = Buffer.from(webhooks[0]!.clientConfig.caBundle, 'base64').toString();
    const review = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'pair',
        resource: { group: widgets.group, version: 'v1', resource: 'gadgets' },
        operation: 'CREATE',
        object: { metadata: { name: 'p' }, spec: { size: 1 } },
      },
    });
    const { request } = await import('node:https');
    const ask = (p: number) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: p,
            method: 'POST',
            path: new URL(webhooks[0]!.clientConfig.url).pathname,
            ca,
            servername: 'localhost',
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += String(c)));
            res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
          },
        );
        req.on('error', reject);
        req.end(review);
      });
    for (const p of ports) expect(await ask(p)).toMatchObject({ response: { uid: 'pair', allowed: false } });
    // /readyz of each names the webhook check, passing once it serves with a valid certificate.
    for (const replica of [first, second]) {
      const probes = /serving probes on (http:\/\/\S+)\/healthz/.exec(replica.logText())?.[1];
      await eventually(async () => {
        const response = await fetch(`${probes}/readyz?verbose`);
        return (await response.text()).includes('[+]webhook ok');
      }, 'the webhook readiness check');
    }
  });
});
