// Self-managed webhook certificates renewed, serving certificate and CA, while a client keeps creating objects at an
// old version through the real kube-apiserver: every create is admitted and converted by the operator, none fails.
import { randomBytes, X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ConvertFrom, ConvertTo, CustomResource, OnValidate } from '@kubeop/decorators';
import { type AdmissionRequest, type CustomObject, Denied } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { splitBundle } from '../src/internal/webhook/certificates/pem.js';
import { KubeClient } from '../src/kube/client.js';
import { operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { type RawResponse, rawRequest } from './support/raw-request.js';

const env = operatorSuite({ beforeAll, afterEach, afterAll });
const group = `r${randomBytes(3).toString('hex')}.kubeop.dev`;
const crdName = `widgets.${group}`;
const CHECKED = 'checked by the renewal test';

interface SpecV2 {
  owner: { first: string; last: string };
  replicas: number;
}
interface SpecV1 {
  owner: string;
  size: number;
}

/** Admissions the operator answered, by object name. */
const admitted = new Set<string>();

@CustomResource({ group, version: 'v2', plural: 'widgets', kind: 'Widget' })
class RenewedWidgets {
  @OnValidate()
  check(widget: CustomObject<SpecV2>, request: AdmissionRequest<CustomObject<SpecV2>>): void {
    // Admission sees the storage version: the create at v1 was converted first.
    if (typeof widget.spec?.owner !== 'object')
      throw new Denied('spec.owner must be an object', { field: 'spec.owner' });
    admitted.add(widget.metadata.name!);
    request.warn(CHECKED);
  }

  @ConvertFrom('v1') fromV1(old: CustomObject<SpecV1>): CustomObject<SpecV2> {
    const [first = '', last = ''] = old.spec!.owner.split(' ');
    return { ...old, spec: { owner: { first, last }, replicas: old.spec!.size } };
  }

  @ConvertTo('v1') toV1(widget: CustomObject<SpecV2>): CustomObject<SpecV1> {
    const { owner, replicas } = widget.spec!;
    return { ...widget, spec: { owner: `${owner.first} ${owner.last}`, size: replicas } };
  }
}

const widgetsPath = (version: string, name = '') =>
  `/apis/${group}/${version}/namespaces/${env.namespace}/widgets${name ? `/${name}` : ''}`;

interface Secret {
  data: Record<string, string>;
}
const pemOf = (secret: Secret, key: string) =>
  secret.data[key] ? Buffer.from(secret.data[key], 'base64').toString('utf8') : undefined;
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
/** The CAs of a base64 caBundle, by fingerprint. */
const bundleCas = (caBundle: string | undefined) =>
  splitBundle(Buffer.from(caBundle ?? '', 'base64').toString('utf8')).map(fingerprint);

/** Creates widgets at v1 and reads each back at v1 and v2 until stopped; every unexpected answer is a failure. */
function writer(stopped: () => boolean) {
  const failures: string[] = [];
  let creates = 0;
  let reads = 0;
  const expectStatus = (what: string, answer: RawResponse, status: number) => {
    if (answer.status === status) return true;
    failures.push(`${what}: ${answer.status} ${String(answer.body.message ?? JSON.stringify(answer.body))}`);
    return false;
  };
  const one = async (name: string) => {
    const created = await rawRequest(env.kubeConfig, 'POST', widgetsPath('v1'), {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name },
      spec: { owner: 'Ada Lovelace', size: 3 },
    });
    if (!expectStatus(`create ${name}`, created, 201)) return;
    if (!created.warnings.includes(CHECKED)) failures.push(`create ${name}: no warning from the validation`);
    creates++;
    const v1 = await rawRequest(env.kubeConfig, 'GET', widgetsPath('v1', name));
    if (
      expectStatus(`get ${name} at v1`, v1, 200) &&
      JSON.stringify(v1.body.spec) !== '{"owner":"Ada Lovelace","size":3}'
    )
      failures.push(`get ${name} at v1: ${JSON.stringify(v1.body.spec)}`);
    const v2 = await rawRequest(env.kubeConfig, 'GET', widgetsPath('v2', name));
    if (
      expectStatus(`get ${name} at v2`, v2, 200) &&
      JSON.stringify(v2.body.spec) !== '{"owner":{"first":"Ada","last":"Lovelace"},"replicas":3}'
    )
      failures.push(`get ${name} at v2: ${JSON.stringify(v2.body.spec)}`);
    reads += 2;
  };
  const loop = async (worker: number) => {
    for (let i = 0; !stopped(); i++) {
      await one(`w${worker}-${i}`).catch((error: unknown) => failures.push(`w${worker}-${i}: ${String(error)}`));
    }
  };
  const done = Promise.all([0, 1].map(loop));
  return { failures, counts: () => ({ creates, reads }), done };
}

describe('self-managed webhook certificates renewed under traffic', () => {
  it('fails no admission and no conversion while the serving certificate and the CA are renewed', async () => {
    const name = `renew-${env.namespace}`;
    const began = Date.now();
    const running = await runOperator(RenewedWidgets, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      name,
      // CA: 30 s (a successor in the bundle at 20 s, signing from 25 s, the old CA out at 30 s); serving: 9 s,
      // renewed every 6 s; the Secret is read every 0.9 s (a tenth of the serving lifetime).
      argv: [
        '--create-crd',
        '--operator-namespace',
        env.namespace,
        '--webhook-ca-lifetime',
        '30',
        '--webhook-cert-lifetime',
        '9',
        '--webhook-ca-propagation',
        '5',
        '--log-level',
        'info',
      ],
    });
    const started = Date.now();
    const client = new KubeClient(env.kubeConfig);
    const secretPath = `/api/v1/namespaces/${env.namespace}/secrets/${name}-webhook-tls`;
    const configurationPath = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${name}`;
    const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`;
    const registeredCas = async () => {
      const configuration = await client.request<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(
        'GET',
        configurationPath,
      );
      const crd = await client.request<{ spec: { conversion: { webhook: { clientConfig: { caBundle?: string } } } } }>(
        'GET',
        crdPath,
      );
      return {
        admission: bundleCas(configuration.webhooks[0]?.clientConfig.caBundle),
        conversion: bundleCas(crd.spec.conversion.webhook.clientConfig.caBundle),
      };
    };
    let stop = false;
    const traffic = writer(() => stop);
    try {
      const first = await client.request<Secret>('GET', secretPath);
      const firstCa = fingerprint(pemOf(first, 'ca.crt')!);
      // The first CA is registered (beside its successor, should start-up have taken 20 s).
      const initially = await registeredCas();
      expect(initially.admission).toContain(firstCa);
      expect(initially.conversion).toContain(firstCa);

      // Every serving certificate and CA the Secret held, until a new CA signs alone and both registrations name
      // only it: a serving renewal, a CA published, promoted, and the old CA dropped, all under traffic.
      const servingSeen = new Set<string>();
      const casSeen = new Set<string>();
      const settled = await eventually(
        async () => {
          const secret = await client.request<Secret>('GET', secretPath);
          const ca = fingerprint(pemOf(secret, 'ca.crt')!);
          servingSeen.add(fingerprint(pemOf(secret, 'tls.crt')!));
          casSeen.add(ca);
          if (ca === firstCa || secret.data['ca-previous.crt'] || servingSeen.size < 3) return undefined;
          const registered = await registeredCas();
          return registered.admission.join() === ca && registered.conversion.join() === ca ? ca : undefined;
        },
        'a CA rotation completed and registered',
        240_000,
      );
      const rotated = Date.now();
      stop = true;
      await traffic.done;

      // The count and the first few, which name the webhook and the TLS error when a renewal fails requests.
      const { failures } = traffic;
      expect({ failed: failures.length, first: failures.slice(0, 5) }).toEqual({ failed: 0, first: [] });
      expect(casSeen.size).toBeGreaterThanOrEqual(2);
      expect(settled).not.toBe(firstCa);
      const { creates, reads } = traffic.counts();
      expect(creates).toBeGreaterThanOrEqual(30);
      expect(reads).toBe(2 * creates);
      expect(admitted.size).toBeGreaterThanOrEqual(creates);
      // The operator took each step of the rotation itself.
      const steps = parseLogs(running.logs).map((line) => String(line.message));
      for (const step of [
        'Webhook certificates: renewed the serving certificate',
        'Webhook certificates: added a new CA to the bundle',
        'Webhook certificates: the new CA now signs; a new serving certificate issued',
        'Webhook certificates: removed the expired previous CA from the bundle',
      ])
        expect(steps).toContain(step);
      process.stderr.write(
        `renewal under traffic: ${creates} creates, ${reads} reads, ${servingSeen.size} serving certificates, ${casSeen.size} CAs; operator up in ${(started - began) / 1000} s, rotation seen through in ${(rotated - started) / 1000} s\n`,
      );
    } finally {
      stop = true;
      await traffic.done;
      await client.close(0);
    }
  });
});
