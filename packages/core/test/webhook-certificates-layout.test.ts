// The self-managed certificates' Secret layout and CA bundle across rotations, replayed on a simulated clock with real certificates.
import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { splitBundle } from '../src/internal/webhook/certificates/pem.js';
import { planRenewal, type RenewalAction } from '../src/internal/webhook/certificates/renewal.js';
import { applyRenewal, type IssueSettings } from '../src/internal/webhook/certificates/rotation.js';
import {
  bundleOf,
  type CertificateSet,
  fromSecret,
  NEXT_CA_PUBLISHED_AT,
  servingPairOf,
  stateOf,
  toSecret,
  wantedNames,
} from '../src/internal/webhook/certificates/secret-layout.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const settings: IssueSettings = {
  names: ['hooks.ops.svc', '127.0.0.1', '::1'],
  caLifetimeMs: 30 * DAY,
  servingLifetimeMs: 3 * DAY,
  caName: 'test CA',
};
const names = wantedNames(['hooks.ops.svc'], ['127.0.0.1', '0:0:0:0:0:0:0:1']);
const policy = { propagationMs: 2 * HOUR };
const t0 = Date.parse('2030-01-01T00:00:00Z');

/** Takes every step due at `now`, through the Secret's encoding as a replica would; returns the steps. */
async function settle(set: CertificateSet, now: number): Promise<{ set: CertificateSet; steps: RenewalAction[] }> {
  const steps: RenewalAction[] = [];
  for (;;) {
    const plan = planRenewal(now, stateOf(set, names), policy);
    if (!plan.action) return { set, steps };
    steps.push(plan.action);
    const { data, annotations } = toSecret(await applyRenewal(plan.action, set, now, settings));
    set = fromSecret(data, annotations);
  }
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

describe('the Secret layout', () => {
  it('round-trips a set through data and the publication annotation', async () => {
    const { set } = await settle({}, t0);
    const withNext = { ...set, nextCaCert: set.caCert, nextCaKey: set.caKey, nextPublishedAt: t0 };
    const { data, annotations } = toSecret(withNext);
    expect(Object.keys(data).sort()).toEqual(['ca-next.crt', 'ca-next.key', 'ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    expect(annotations).toEqual({ [NEXT_CA_PUBLISHED_AT]: '2030-01-01T00:00:00.000Z' });
    expect(fromSecret(data, annotations)).toEqual({ ...withNext, previousCaCert: undefined });
  });

  it('issues a serving certificate for every DNS name and address, matched however the address is written', async () => {
    const { set, steps } = await settle({}, t0);
    expect(steps).toEqual(['issue-all']);
    expect(stateOf(set, names).serving).toMatchObject({ signedByCa: true, coversNames: true });
    expect(stateOf(set, wantedNames(['other.ops.svc'], [])).serving?.coversNames).toBe(false);
    const cert = new X509Certificate(set.servingCert!);
    expect(cert.checkHost('hooks.ops.svc')).toBe('hooks.ops.svc');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.ca).toBe(false);
    expect(new X509Certificate(set.caCert!).ca).toBe(true);
  });

  it('serves no pair whose key belongs to another certificate, and leaves broken CAs out of the bundle', async () => {
    const a = (await settle({}, t0)).set;
    const b = (await settle({}, t0)).set;
    expect(servingPairOf({ ...a, servingKey: b.servingKey })).toBeUndefined();
    expect(stateOf({ ...a, servingKey: b.servingKey }, names).serving).toBeUndefined();
    expect(stateOf({ ...a, caKey: b.caKey }, names).ca).toBeUndefined();
    const broken = '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n';
    expect(splitBundle(bundleOf({ ...a, previousCaCert: broken }))).toHaveLength(1);
  });

  it('keeps, across 100 days of rotations, every certificate a replica may serve trusted by the bundle', async () => {
    let { set } = await settle({}, t0);
    /** When each CA first appeared in the bundle. */
    const inBundleSince = new Map<string, number>([[fingerprint(set.caCert!), t0]]);
    /** Serving certificates issued so far, with the CA that signed them: a lagging replica may still serve any unexpired one. */
    const served = new Map<string, X509Certificate>();
    const counts: Partial<Record<RenewalAction, number>> = {};

    for (let now = t0; now < t0 + 100 * DAY; now += 4 * HOUR) {
      const settled = await settle(set, now);
      set = settled.set;
      for (const step of settled.steps) counts[step] = (counts[step] ?? 0) + 1;

      const bundle = splitBundle(bundleOf(set)).map((pem) => new X509Certificate(pem));
      expect(bundle.length).toBeLessThanOrEqual(3);
      for (const ca of bundle) if (!inBundleSince.has(ca.fingerprint256)) inBundleSince.set(ca.fingerprint256, now);

      const serving = new X509Certificate(servingPairOf(set)!.cert);
      expect(serving.validFromDate.getTime()).toBeLessThanOrEqual(now);
      expect(serving.validToDate.getTime()).toBeGreaterThan(now);
      const signer = bundle.find((ca) => serving.checkIssued(ca) && serving.verify(ca.publicKey));
      expect(signer).toBeDefined();
      // The CA that signs it was in the bundle for the propagation time before it was issued (backdated 5 minutes),
      // except the very first CA.
      const since = inBundleSince.get(signer!.fingerprint256)!;
      const issuedAt = serving.validFromDate.getTime() + 5 * 60_000;
      if (since > t0) expect(issuedAt).toBeGreaterThanOrEqual(since + policy.propagationMs);
      served.set(serving.fingerprint256, serving);

      for (const old of served.values()) {
        if (old.validToDate.getTime() <= now) continue;
        expect(bundle.some((ca) => old.checkIssued(ca) && old.verify(ca.publicKey))).toBe(true);
      }
    }
    // 100 days with 30-day CAs renewed at 20, 40, 60 and 80 days (each previous CA dropped 10 days later), and
    // 3-day serving certificates renewed about every 2 days.
    expect(counts).toEqual({
      'publish-next-ca': 4,
      'promote-next-ca': 4,
      'drop-previous-ca': 4,
      'renew-serving': expect.any(Number),
    });
    expect(counts['renew-serving']).toBeGreaterThanOrEqual(40);
  });
});
