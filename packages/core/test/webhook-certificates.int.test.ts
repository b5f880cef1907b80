// Self-managed webhook certificates on a real API server: replicas racing to create the Secret, and renewals of the
// serving certificate and of the CA while a TLS server keeps serving and a client keeps connecting.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { KubeApiError } from '../src/kube/errors.js';
import {
  CertificateSecretError,
  type CertificateSource,
  type SelfManagedCertificateOptions,
  selfManagedCertificates,
} from '../src/internal/webhook/certificates/index.js';
import { splitBundle } from '../src/internal/webhook/certificates/pem.js';
import { serviceAccountKubeconfig } from './support/service-account.js';
import { capturingLogger, connectOnce, probe, serveWith } from './support/webhook-certificates-tls.js';

let env: TestEnvironment;
let client: KubeClient;
const sources: CertificateSource[] = [];
/** Each source's log lines, printed after its test. */
const logs = new Map<CertificateSource, string[]>();

beforeAll(async () => {
  env = await testEnvironment();
  client = new KubeClient(env.kubeConfig);
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
  process.stderr.write([...logs.values()].flat().join(''));
  logs.clear();
});
afterAll(async () => {
  await Promise.all([client, ...clients].map((each) => each?.close(0)));
});

interface Secret {
  type: string;
  metadata: { resourceVersion: string };
  data: Record<string, string>;
}

const secretPath = (name: string) => `/api/v1/namespaces/${env.namespace}/secrets/${name}`;
const readSecret = (name: string) => client.request<Secret>('GET', secretPath(name));
const readSecretIfAny = (name: string) =>
  readSecret(name).catch((error: unknown) => {
    if (error instanceof KubeApiError && error.isNotFound) return undefined;
    throw error;
  });
const decoded = (secret: Secret, key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString('utf8');

/** A client logged in as a new service account with `rules`; closed after the file. */
const clients: KubeClient[] = [];
async function accountClient(name: string, rules: Parameters<typeof serviceAccountKubeconfig>[3]): Promise<KubeClient> {
  const config = new KubeConfig();
  config.loadFromFile(await serviceAccountKubeconfig(env.kubeConfig, env.namespace, name, rules));
  const made = new KubeClient(config);
  clients.push(made);
  return made;
}

function source(secretName: string, replica: string, options: Partial<SelfManagedCertificateOptions> = {}) {
  const lines: string[] = [];
  const made = selfManagedCertificates({
    client,
    namespace: env.namespace,
    secretName,
    dnsNames: [`hooks.${env.namespace}.svc`],
    ipAddresses: ['127.0.0.1'],
    logger: capturingLogger(lines, 'info').child({ replica: `[certs ${replica}]` }),
    ...options,
  });
  sources.push(made);
  logs.set(made, lines);
  return made;
}

describe('self-managed webhook certificates', () => {
  it('lets one of several replicas starting together create the Secret, and all serve its pair', async () => {
    const replicas = ['a', 'b', 'c'].map((replica) => source('race', replica));
    await Promise.all(replicas.map((replica) => replica.start()));

    const secret = await readSecret('race');
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    for (const replica of replicas) {
      expect(replica.current()).toEqual({ cert: decoded(secret, 'tls.crt'), key: decoded(secret, 'tls.key') });
      expect(replica.caBundle()).toBe(`${decoded(secret, 'ca.crt').trim()}\n`);
      expect(replica.notAfter()).toEqual(new X509Certificate(decoded(secret, 'tls.crt')).validToDate);
    }
    // One issued the certificates; the others read them.
    const issued = replicas.filter((replica) =>
      logs.get(replica)!.some((line) => line.includes('Webhook certificates issued')),
    );
    expect(issued).toHaveLength(1);
    const served = await serveWith(replicas[0]!);
    try {
      const peer = await connectOnce(served.port, replicas[1]!.caBundle());
      expect(peer.subjectaltname).toContain('IP Address:127.0.0.1');
    } finally {
      await served.close();
    }
  });

  it('adopts a Secret another replica made before, and writes back the pair it serves when the Secret is deleted', async () => {
    const first = source('restore', 'a', { pollIntervalSeconds: 1 });
    await first.start();
    const second = source('restore', 'b', { pollIntervalSeconds: 1 });
    await second.start();
    expect(second.current()).toEqual(first.current());

    await client.request('DELETE', secretPath('restore'));
    const back = await eventually(() => readSecretIfAny('restore'), 'the Secret written back');
    expect(decoded(back, 'tls.crt')).toBe(first.current().cert);
  });

  it('works with the permissions the README names, and says which are missing', async () => {
    const allowed = await accountClient('certs-allowed', [
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'update'], resourceNames: ['narrowed'] },
    ]);
    const narrowed = source('narrowed', 'allowed', { client: allowed });
    await narrowed.start();
    expect(decoded(await readSecret('narrowed'), 'tls.crt')).toBe(narrowed.current().cert);

    const denied = source('denied', 'denied', { client: await accountClient('certs-denied', []) });
    const error = await denied.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertificateSecretError);
    expect(String(error)).toContain(`GET on Secret ${env.namespace}/denied answered 403`);
    expect(String(error)).toContain('get, create and update on secrets');
  });

  it('names a namespace that does not exist', async () => {
    const error = await source('any', 'lost', { namespace: `${env.namespace}-missing` })
      .start()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertificateSecretError);
    expect(String(error)).toContain(`namespace ${env.namespace}-missing does not exist`);
  });

  it("renews the serving certificate and the CA with no failed connection, trusting either replica's bundle", async () => {
    // CA: 30 s (a successor published at 20 s, signing from 25 s; the old one leaves the bundle at 30 s).
    // Serving certificate: 9 s, renewed every 6 s. Every replica reads the Secret every 0.5 s: the margins (3 s for
    // a serving certificate, 5 s for a new CA) are several polls, for a loaded machine.
    const timings = {
      caLifetimeSeconds: 30,
      servingLifetimeSeconds: 9,
      caPropagationSeconds: 5,
      pollIntervalSeconds: 0.5,
    };
    const server = source('rotation', 'server', timings);
    const other = source('rotation', 'other', timings);
    await server.start();
    await other.start();
    const firstCa = new X509Certificate(server.caBundle());
    const served = await serveWith(server);
    const bundleSizes = new Set<number>();
    const connections = probe(served.port, () => {
      const bundles = [server.caBundle(), other.caBundle()];
      for (const bundle of bundles) bundleSizes.add(splitBundle(bundle).length);
      return bundles;
    });
    try {
      // Until the first CA has been replaced and has left the bundle again.
      await eventually(
        () => {
          const bundle = splitBundle(server.caBundle()).map((pem) => new X509Certificate(pem));
          return (
            bundle.length === 1 && bundle[0]!.fingerprint256 !== firstCa.fingerprint256 && connections.issuers.size >= 2
          );
        },
        'a CA rotation completed',
        120_000,
      );
    } finally {
      await connections.stop();
      await served.close();
    }
    expect(connections.failures).toEqual([]);
    // Several serving certificates from two CAs were served, and the bundle held two CAs for a while.
    expect(connections.served.size).toBeGreaterThanOrEqual(3);
    expect(connections.issuers.size).toBe(2);
    expect(bundleSizes).toContain(2);
    expect(connections.connections).toBeGreaterThan(20);
  });
});
