// Generates the control plane's certificates (ECDSA P-256) as PEM files: serving CA and cert, client CA, admin cert, service-account keys.
import 'reflect-metadata'; // @peculiar/x509 uses tsyringe, which throws at import without a Reflect polyfill
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Paths of the PEM files written by {@link generateCertificates}. */
export interface CertificateFiles {
  servingCa: string;
  servingCert: string;
  servingKey: string;
  clientCa: string;
  adminCert: string;
  adminKey: string;
  serviceAccountPublicKey: string;
  serviceAccountKey: string;
}

/** The files, plus the PEM text a client needs to trust the server and log in as admin. */
export interface Certificates {
  files: CertificateFiles;
  servingCaPem: string;
  adminCertPem: string;
  adminKeyPem: string;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const crypto = webcrypto;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const hour = 3_600_000;

interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

/** Writes fresh certificates into `dir`; they are valid from an hour ago (clock skew) for a year. */
export async function generateCertificates(dir: string): Promise<Certificates> {
  const servingCa = await createCa('kubeop-serving-ca');
  const serving = await issue(servingCa, 'CN=localhost', [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]),
  ]);
  const clientCa = await createCa('kubeop-client-ca');
  // O=system:masters is bound to cluster-admin and bypasses RBAC.
  const admin = await issue(clientCa, 'CN=admin, O=system:masters', [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ]);
  const serviceAccount = await generateKeys();

  const files: CertificateFiles = {
    servingCa: join(dir, 'serving-ca.crt'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    clientCa: join(dir, 'client-ca.crt'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountPublicKey: join(dir, 'service-account.pub'),
    serviceAccountKey: join(dir, 'service-account.key'),
  };
  const servingCaPem = servingCa.cert.toString('pem');
  const adminCertPem = admin.cert.toString('pem');
  const adminKeyPem = await privateKeyPem(admin.keys);
  const contents: [string, string][] = [
    [files.servingCa, servingCaPem],
    [files.servingCert, serving.cert.toString('pem')],
    [files.servingKey, await privateKeyPem(serving.keys)],
    [files.clientCa, clientCa.cert.toString('pem')],
    [files.adminCert, adminCertPem],
    [files.adminKey, adminKeyPem],
    [
      files.serviceAccountPublicKey,
      x509.PemConverter.encode(await crypto.subtle.exportKey('spki', serviceAccount.publicKey), 'PUBLIC KEY'),
    ],
    [files.serviceAccountKey, await privateKeyPem(serviceAccount)],
  ];
  await Promise.all(contents.map(([path, pem]) => writeFile(path, `${pem.trim()}\n`, { mode: 0o600 })));
  return { files, servingCaPem, adminCertPem, adminKeyPem };
}

function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - hour), notAfter: new Date(now + 365 * 24 * hour) };
}

async function createCa(commonName: string): Promise<Issued> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=${commonName}`,
      keys,
      signingAlgorithm: algorithm,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert, keys };
}

async function issue(ca: Issued, subject: string, extensions: x509.Extension[]): Promise<Issued> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject,
      issuer: ca.cert.subject,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: algorithm,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey, false, crypto),
        ...extensions,
      ],
    },
    crypto,
  );
  return { cert, keys };
}

async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
}
