// The self-managed certificates as kept in one Secret: its keys, the CA bundle they make, and what renewal needs to know of them.
import type { X509Certificate } from 'node:crypto';
import { ipName, joinBundle, keyMatches, parseCertificate, signedBy, subjectAltNames, validityOf } from './pem.js';
import type { CertificateState } from './renewal.js';

/** Keys of the Secret's data: kubernetes.io/tls's two, cert-manager's `ca.crt`, and the CA's key and rotation. */
export const SECRET_KEYS = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'tls.crt',
  servingKey: 'tls.key',
  nextCaCert: 'ca-next.crt',
  nextCaKey: 'ca-next.key',
  previousCaCert: 'ca-previous.crt',
} as const;

/** When the next CA went into the bundle (RFC 3339): the start of its propagation time. */
export const NEXT_CA_PUBLISHED_AT = 'kubeop.dev/ca-next-published-at';

/** Everything the Secret holds, PEM text; the CA and serving pairs may be missing only before the first issue. */
export interface CertificateSet {
  caCert?: string;
  caKey?: string;
  servingCert?: string;
  servingKey?: string;
  nextCaCert?: string;
  nextCaKey?: string;
  /** Epoch ms. */
  nextPublishedAt?: number;
  previousCaCert?: string;
}

export interface SecretContent {
  data: Record<string, string>;
  annotations: Record<string, string>;
}

/** Reads the set from a Secret's base64 `data` and annotations; keys it does not know are left alone. */
export function fromSecret(
  data: Record<string, string> | undefined,
  annotations?: Record<string, string>,
): CertificateSet {
  const text = (key: string) => {
    const value = data?.[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  const published = Date.parse(annotations?.[NEXT_CA_PUBLISHED_AT] ?? '');
  return {
    caCert: text(SECRET_KEYS.caCert),
    caKey: text(SECRET_KEYS.caKey),
    servingCert: text(SECRET_KEYS.servingCert),
    servingKey: text(SECRET_KEYS.servingKey),
    nextCaCert: text(SECRET_KEYS.nextCaCert),
    nextCaKey: text(SECRET_KEYS.nextCaKey),
    nextPublishedAt: Number.isNaN(published) ? undefined : published,
    previousCaCert: text(SECRET_KEYS.previousCaCert),
  };
}

/** The Secret's `data` (base64) and the annotation for a set; absent parts are absent keys. */
export function toSecret(set: CertificateSet): SecretContent {
  const data: Record<string, string> = {};
  for (const [field, key] of Object.entries(SECRET_KEYS) as [keyof typeof SECRET_KEYS, string][]) {
    const value = set[field];
    if (value !== undefined) data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  const annotations: Record<string, string> = {};
  if (set.nextCaCert !== undefined && set.nextPublishedAt !== undefined) {
    annotations[NEXT_CA_PUBLISHED_AT] = new Date(set.nextPublishedAt).toISOString();
  }
  return { data, annotations };
}

/** Every CA the API server must trust: the current one, the one about to sign, and the one whose certificates may still be served. */
export function bundleOf(set: CertificateSet): string {
  // Only what parses: one broken block would make the API server (and Node) reject the whole bundle.
  const cas = [set.caCert, set.nextCaCert, set.previousCaCert].filter((pem) => tryParse(pem) !== undefined);
  return joinBundle(cas as string[]);
}

/** The serving pair, when its key belongs to its certificate. */
export function servingPairOf(set: CertificateSet): { cert: string; key: string; parsed: X509Certificate } | undefined {
  const parsed = tryParse(set.servingCert);
  if (!parsed || set.servingKey === undefined || !keyMatches(parsed, set.servingKey)) return undefined;
  return { cert: set.servingCert!, key: set.servingKey, parsed };
}

/** DNS names and IP addresses as the serving certificate should name them (`dns:…`, `ip:…`). */
export function wantedNames(dnsNames: string[], ipAddresses: string[]): string[] {
  return [...dnsNames.map((name) => `dns:${name.toLowerCase()}`), ...ipAddresses.map(ipName)];
}

/** What renewal needs to know of a set: the validity of each usable certificate and how the serving one relates to the CA. */
export function stateOf(set: CertificateSet, names: string[]): CertificateState {
  const state: CertificateState = {};
  const ca = usableCa(set.caCert, set.caKey);
  if (ca) state.ca = validityOf(ca);
  const next = usableCa(set.nextCaCert, set.nextCaKey);
  // A next CA without a publication time cannot be known to have propagated: counted from now on, by being published again.
  if (next && set.nextPublishedAt !== undefined) state.next = { ...validityOf(next), publishedAt: set.nextPublishedAt };
  const previous = tryParse(set.previousCaCert);
  if (previous) state.previous = validityOf(previous);
  const serving = servingPairOf(set);
  if (serving) {
    const has = new Set(subjectAltNames(serving.parsed).map((name) => name.toLowerCase()));
    state.serving = {
      ...validityOf(serving.parsed),
      signedByCa: ca !== undefined && signedBy(serving.parsed, ca),
      coversNames: names.every((name) => has.has(name.toLowerCase())),
    };
  }
  return state;
}

/** A CA whose key is there, belongs to it, and is a P-256 key (the kind kubeop issues with). */
function usableCa(certPem: string | undefined, keyPem: string | undefined): X509Certificate | undefined {
  const cert = tryParse(certPem);
  if (!cert || keyPem === undefined || !cert.ca) return undefined;
  if (cert.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
  return keyMatches(cert, keyPem) ? cert : undefined;
}

function tryParse(pem: string | undefined): X509Certificate | undefined {
  if (pem === undefined) return undefined;
  try {
    return parseCertificate(pem);
  } catch {
    return undefined;
  }
}
