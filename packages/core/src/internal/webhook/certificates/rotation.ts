// Carries out one renewal step on a certificate set: issues what the step needs and moves CAs between current, next and previous.
import type { RenewalAction } from './renewal.js';
import type { CertificateSet } from './secret-layout.js';

export interface IssueSettings {
  /** DNS names and IP addresses for the serving certificate. */
  names: string[];
  caLifetimeMs: number;
  servingLifetimeMs: number;
  /** Prefix of each CA's common name; a timestamp keeps successive CAs' names apart. */
  caName: string;
}

/** The set after `action`; the X.509 library is loaded here, on the first certificate to issue. */
export async function applyRenewal(
  action: RenewalAction,
  set: CertificateSet,
  now: number,
  settings: IssueSettings,
): Promise<CertificateSet> {
  const { issueCa, issueServing } = await import('./issue.js');
  const newCa = () =>
    issueCa(`${settings.caName} ${new Date(now).toISOString()}`, { now, lifetimeMs: settings.caLifetimeMs });
  const serving = (ca: { cert: string; key: string }) =>
    issueServing(ca, settings.names, { now, lifetimeMs: settings.servingLifetimeMs });
  const withoutNext = { ...set, nextCaCert: undefined, nextCaKey: undefined, nextPublishedAt: undefined };

  switch (action) {
    case 'issue-all': {
      const ca = await newCa();
      const pair = await serving(ca);
      return { caCert: ca.cert, caKey: ca.key, servingCert: pair.cert, servingKey: pair.key };
    }
    case 'publish-next-ca': {
      const next = await newCa();
      return { ...set, nextCaCert: next.cert, nextCaKey: next.key, nextPublishedAt: now };
    }
    case 'promote-next-ca': {
      const ca = { cert: set.nextCaCert!, key: set.nextCaKey! };
      const pair = await serving(ca);
      return {
        ...withoutNext,
        caCert: ca.cert,
        caKey: ca.key,
        servingCert: pair.cert,
        servingKey: pair.key,
        previousCaCert: set.caCert,
      };
    }
    case 'renew-serving': {
      const pair = await serving({ cert: set.caCert!, key: set.caKey! });
      return { ...set, servingCert: pair.cert, servingKey: pair.key };
    }
    case 'drop-previous-ca':
      return { ...set, previousCaCert: undefined };
  }
}
