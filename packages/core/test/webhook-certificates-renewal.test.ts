// planRenewal, case by case: what the self-managed certificates need next, given the clock and the Secret's certificates.
import { describe, expect, it } from '@jest/globals';
import { type CertificateState, planRenewal, renewAt } from '../src/internal/webhook/certificates/renewal.js';

const policy = { propagationMs: 50 };
// A CA valid 0..3000 (renew at 2000), a serving certificate valid 1000..1900 (renew at 1600).
const ca = { notBefore: 0, notAfter: 3000 };
const serving = { notBefore: 1000, notAfter: 1900, signedByCa: true, coversNames: true };
const healthy: CertificateState = { ca, serving };

describe('renewAt', () => {
  it('is 2/3 into the validity', () => {
    expect(renewAt({ notBefore: 300, notAfter: 1200 })).toBe(900);
  });
});

describe('planRenewal', () => {
  it('asks for a new CA and pair when there is no CA', () => {
    expect(planRenewal(1000, {}, policy)).toMatchObject({ action: 'issue-all', nextAt: undefined });
    expect(planRenewal(1000, { serving }, policy).action).toBe('issue-all');
  });

  it('asks for a new CA and pair when the CA expired and no successor was published', () => {
    expect(planRenewal(3000, healthy, policy).action).toBe('issue-all');
  });

  it('promotes a published successor when the CA expired, without waiting for propagation', () => {
    const next = { notBefore: 2900, notAfter: 6000, publishedAt: 2990 };
    expect(planRenewal(3000, { ...healthy, next }, policy).action).toBe('promote-next-ca');
  });

  it('does nothing while everything is fresh, and says when to look again: the serving renewal', () => {
    expect(planRenewal(1100, healthy, policy)).toEqual({ action: undefined, reason: 'up to date', nextAt: 1600 });
  });

  it('renews the serving certificate at 2/3 of its lifetime', () => {
    expect(planRenewal(1599, healthy, policy).action).toBeUndefined();
    expect(planRenewal(1600, healthy, policy).action).toBe('renew-serving');
  });

  it.each([
    ['missing', { ca }],
    ['signed by another CA', { ca, serving: { ...serving, signedByCa: false } }],
    ['lacking a wanted name', { ca, serving: { ...serving, coversNames: false } }],
    ['expired', { ca, serving: { ...serving, notAfter: 1050, notBefore: 900 } }],
  ])('renews a serving certificate that is %s', (_, state: CertificateState) => {
    expect(planRenewal(1100, state, policy).action).toBe('renew-serving');
  });

  it('publishes a new CA at 2/3 of the CA lifetime, while the serving certificate is fresh', () => {
    const fresh = { ...serving, notBefore: 1900, notAfter: 2800 };
    expect(planRenewal(1999, { ca, serving: fresh }, policy)).toMatchObject({ action: undefined, nextAt: 2000 });
    expect(planRenewal(2000, { ca, serving: fresh }, policy).action).toBe('publish-next-ca');
  });

  it('promotes the published CA only once it has been in the bundle for the propagation time', () => {
    const fresh = { ...serving, notBefore: 1900, notAfter: 2800 };
    const next = { notBefore: 2000, notAfter: 5000, publishedAt: 2000 };
    expect(planRenewal(2049, { ca, serving: fresh, next }, policy)).toMatchObject({ action: undefined, nextAt: 2050 });
    expect(planRenewal(2050, { ca, serving: fresh, next }, policy).action).toBe('promote-next-ca');
  });

  it('renews the serving certificate with the current CA while a new CA is still propagating', () => {
    const next = { notBefore: 1500, notAfter: 5000, publishedAt: 1590 };
    expect(planRenewal(1600, { ...healthy, next }, policy).action).toBe('renew-serving');
  });

  it('keeps the previous CA until it expires, then drops it', () => {
    const previous = { notBefore: -3000, notAfter: 1500 };
    expect(planRenewal(1100, { ...healthy, previous }, policy)).toMatchObject({ action: undefined, nextAt: 1500 });
    expect(planRenewal(1500, { ...healthy, previous }, policy).action).toBe('drop-previous-ca');
  });

  it('fixes the serving certificate before tidying the bundle', () => {
    const previous = { notBefore: -3000, notAfter: 1000 };
    expect(planRenewal(1700, { ...healthy, previous }, policy).action).toBe('renew-serving');
  });

  it('publishes a fresh successor in place of one that expired unpromoted', () => {
    const fresh = { ...serving, notBefore: 1900, notAfter: 2800 };
    const next = { notBefore: 0, notAfter: 2100, publishedAt: 0 };
    expect(planRenewal(2200, { ca, serving: fresh, next }, policy).action).toBe('publish-next-ca');
  });
});
