// Issues the self-managed CA and serving certificates (ECDSA P-256) with @peculiar/x509; loaded only when certificates must be made.
import 'reflect-metadata'; // @peculiar/x509 uses tsyringe, which throws at import without a Reflect polyfill
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

const crypto = webcrypto;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** A certificate and its private key (PKCS #8), PEM encoded. */
export interface IssuedPair {
  cert: string;
  key: string;
}

export interface Lifetime {
  /** Issue time, epoch ms. */
  now: number;
  lifetimeMs: number;
}

/** Backdated by a tenth of the lifetime, at most 5 minutes, so that a replica whose clock is behind accepts it. */
function validity({ now, lifetimeMs }: Lifetime, notAfterCap = Infinity): { notBefore: Date; notAfter: Date } {
  const backdate = Math.min(5 * 60_000, lifetimeMs / 10);
  return { notBefore: new Date(now - backdate), notAfter: new Date(Math.min(now + lifetimeMs, notAfterCap)) };
}

/** A positive 128-bit serial number, hex (RFC 5280 allows up to 20 octets; the top bit clear keeps it positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A self-signed CA that may sign only end-entity certificates (path length 0). */
export async function issueCa(commonName: string, lifetime: Lifetime): Promise<IssuedPair> {
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: [{ O: ['kubeop'] }, { CN: [commonName] }],
      keys,
      signingAlgorithm: algorithm,
      ...validity(lifetime),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** A serving certificate for `names` (DNS names and IP addresses), signed by `ca`, expiring no later than it. */
export async function issueServing(ca: IssuedPair, names: string[], lifetime: Lifetime): Promise<IssuedPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = createPrivateKey(ca.key).toCryptoKey(algorithm, false, ['sign']);
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const altNames = names.map((name) => ({ type: isIP(name) ? ('ip' as const) : ('dns' as const), value: name }));
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: [{ CN: [names[0] ?? 'kubeop-webhook'] }],
      issuer: caCert.subjectName,
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: algorithm,
      ...validity(lifetime, caCert.notAfter.getTime()),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(altNames),
        await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}
