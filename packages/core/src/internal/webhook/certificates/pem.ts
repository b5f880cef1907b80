// Reads PEM certificates and keys with Node's own X509Certificate: validity, names, issuer, key match (issuing needs the X.509 library, reading does not).
import { createPrivateKey, X509Certificate } from 'node:crypto';

/** Validity of a certificate, in epoch ms. */
export interface Validity {
  notBefore: number;
  notAfter: number;
}

/** Parses one PEM certificate; throws on anything else. */
export function parseCertificate(pem: string): X509Certificate {
  return new X509Certificate(pem);
}

export function validityOf(cert: X509Certificate): Validity {
  return { notBefore: cert.validFromDate.getTime(), notAfter: cert.validToDate.getTime() };
}

/** True when `cert` was issued and signed by `ca`. */
export function signedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** True when `keyPem` is the private key of `cert`; false when it is another key or no key at all. */
export function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** DNS names and IP addresses of the subjectAltName extension, as `dns:NAME` and `ip:ADDRESS`. */
export function subjectAltNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) names.push(`dns:${entry.slice(4)}`);
    else if (entry.startsWith('IP Address:')) names.push(ipName(entry.slice(11)));
  }
  return names;
}

/** `ip:ADDRESS` with IPv6 compressed (OpenSSL prints every group), so that names compare as strings. */
export function ipName(address: string): string {
  return `ip:${address.includes(':') ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address}`;
}

/** The certificates of a PEM bundle, each as its own PEM block. */
export function splitBundle(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** Joins PEM blocks into one bundle, one block per line group, ending in a newline ('' for none). */
export function joinBundle(pems: Iterable<string>): string {
  const blocks = [...pems].map((pem) => pem.trim()).filter((pem) => pem !== '');
  return blocks.length === 0 ? '' : `${blocks.join('\n')}\n`;
}
