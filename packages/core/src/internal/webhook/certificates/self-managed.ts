// STAND-IN until the certs branch merges: a CA and serving certificate made once and kept in a Secret (no renewal).
import 'reflect-metadata'; // @peculiar/x509 uses tsyringe, which needs a Reflect polyfill at import
import * as x509 from '@peculiar/x509';
import { webcrypto, X509Certificate } from 'node:crypto';
import type { KubeClient } from '../../../kube/client.js';
import { KubeApiError } from '../../../kube/errors.js';
import type { Logger } from '../../../logging.js';
import type { CertificateSource, ServingKeyPair } from './source.js';

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400;

interface Stored {
  pair: ServingKeyPair;
  ca: string;
}

export function selfManagedCertificates(o: {
  client: KubeClient;
  namespace: string;
  secretName: string;
  dnsNames: string[];
  ipAddresses?: string[];
  caLifetimeSeconds?: number;
  servingLifetimeSeconds?: number;
  logger: Logger;
  signal?: AbortSignal;
}): CertificateSource {
  let stored: Stored | undefined;
  const path = `/api/v1/namespaces/${o.namespace}/secrets/${o.secretName}`;
  const read = async (): Promise<Stored | undefined> => {
    try {
      const secret = await o.client.request<{ data?: Record<string, string> }>('GET', path);
      const field = (name: string) => Buffer.from(secret.data?.[name] ?? '', 'base64').toString('utf8');
      return { pair: { cert: field('tls.crt'), key: field('tls.key') }, ca: field('ca.crt') };
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  };
  return {
    async start() {
      stored = await read();
      if (stored) return;
      const made = await generate(
        o.dnsNames,
        o.ipAddresses ?? [],
        o.caLifetimeSeconds ?? 3650 * DAY,
        o.servingLifetimeSeconds ?? 365 * DAY,
      );
      const data = { 'tls.crt': made.pair.cert, 'tls.key': made.pair.key, 'ca.crt': made.ca };
      try {
        await o.client.request('POST', `/api/v1/namespaces/${o.namespace}/secrets`, {
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'kubernetes.io/tls',
            metadata: { name: o.secretName, namespace: o.namespace },
            data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          },
        });
        o.logger.info(`created the webhook certificates in Secret ${o.namespace}/${o.secretName}`);
        stored = made;
      } catch (error) {
        // Another replica created it first: use theirs.
        if (!(error instanceof KubeApiError && error.status === 409)) throw error;
        stored = await read();
        if (!stored) throw error;
      }
    },
    async stop() {},
    current() {
      if (!stored) throw new Error('the webhook certificates are not loaded yet');
      return stored.pair;
    },
    caBundle() {
      if (!stored) throw new Error('the webhook certificates are not loaded yet');
      return stored.ca;
    },
    notAfter() {
      return new Date(new X509Certificate(this.current().cert).validTo);
    },
    onChange() {
      return () => undefined;
    },
  };
}

async function generate(dnsNames: string[], ips: string[], caSeconds: number, servingSeconds: number): Promise<Stored> {
  const crypto = webcrypto;
  const notBefore = new Date(Date.now() - 3_600_000);
  const caKeys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=kubeop-webhook-ca',
      keys: caKeys,
      signingAlgorithm: algorithm,
      notBefore,
      notAfter: new Date(Date.now() + caSeconds * 1000),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${dnsNames[0] ?? 'kubeop-webhook'}`,
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: algorithm,
      notBefore,
      notAfter: new Date(Date.now() + servingSeconds * 1000),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...ips.map((value) => ({ type: 'ip' as const, value })),
        ]),
      ],
    },
    crypto,
  );
  const key = x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { pair: { cert: cert.toString('pem'), key }, ca: ca.toString('pem') };
}
