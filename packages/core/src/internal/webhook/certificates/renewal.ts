// When to issue, renew and rotate the self-managed certificates: a pure function of the clock and what the Secret holds.
import type { Validity } from './pem.js';

/** What the Secret holds, as far as renewal cares; a certificate that is missing or unusable is left out. */
export interface CertificateState {
  /** The CA that signs serving certificates. */
  ca?: Validity;
  /** The serving certificate: whether the current CA signed it and whether it names every wanted host. */
  serving?: Validity & { signedByCa: boolean; coversNames: boolean };
  /** A new CA already in the bundle but not signing yet, and when it was put there (epoch ms). */
  next?: Validity & { publishedAt: number };
  /** The CA before the current one, kept in the bundle while serving certificates it signed may still be served. */
  previous?: Validity;
}

export interface RenewalPolicy {
  /** How long a new CA stays in the bundle before it signs: every replica and the API server must have it by then. */
  propagationMs: number;
}

export type RenewalAction =
  /** No usable CA (none yet, expired, unreadable): a new CA and serving certificate, with no overlap possible. */
  | 'issue-all'
  /** The CA reached 2/3 of its lifetime: a new CA goes into the bundle, not signing yet. */
  | 'publish-next-ca'
  /** The new CA has been in the bundle long enough: it becomes the CA, the old one `previous`, and signs a new serving certificate. */
  | 'promote-next-ca'
  /** The serving certificate is missing, expiring (2/3 of its lifetime), not the CA's, or lacks a wanted name. */
  | 'renew-serving'
  /** The previous CA expired, and so did every certificate it signed: it leaves the bundle. */
  | 'drop-previous-ca';

export interface RenewalPlan {
  /** What to do now, or undefined for nothing. */
  action: RenewalAction | undefined;
  /** Why, for the log. */
  reason: string;
  /** When the plan changes next with nothing else happening (epoch ms); undefined when an action is due now. */
  nextAt: number | undefined;
}

/** Renew at 2/3 of a certificate's lifetime, as cert-manager does: a third of it is left to notice a failure and retry. */
export const RENEW_AT_FRACTION = 2 / 3;

export function renewAt(validity: Validity): number {
  return validity.notBefore + (validity.notAfter - validity.notBefore) * RENEW_AT_FRACTION;
}

/** The one step to take next; taking it and planning again leads, step by step, to a state that needs nothing. */
export function planRenewal(now: number, state: CertificateState, policy: RenewalPolicy): RenewalPlan {
  const { ca, serving, next, previous } = state;
  const act = (action: RenewalAction, reason: string): RenewalPlan => ({ action, reason, nextAt: undefined });
  const nextValid = next !== undefined && now < next.notAfter;

  if (ca === undefined || now >= ca.notAfter) {
    // The old CA cannot vouch for anything any more; a published successor is still better than a brand-new CA.
    if (nextValid) return act('promote-next-ca', ca ? 'the CA expired' : 'the CA is missing');
    return act('issue-all', ca ? 'the CA expired' : 'no usable CA');
  }
  if (nextValid && now >= next.publishedAt + policy.propagationMs) {
    return act('promote-next-ca', 'the new CA has been in the bundle long enough');
  }
  if (serving === undefined) return act('renew-serving', 'no usable serving certificate');
  if (!serving.signedByCa) return act('renew-serving', 'the serving certificate is not signed by the CA');
  if (!serving.coversNames) return act('renew-serving', 'the serving certificate lacks a wanted name');
  if (now >= renewAt(serving)) return act('renew-serving', 'the serving certificate reached 2/3 of its lifetime');
  if (!nextValid && now >= renewAt(ca)) return act('publish-next-ca', 'the CA reached 2/3 of its lifetime');
  if (previous !== undefined && now >= previous.notAfter) return act('drop-previous-ca', 'the previous CA expired');

  const times = [renewAt(serving), nextValid ? next.publishedAt + policy.propagationMs : renewAt(ca)];
  if (previous !== undefined) times.push(previous.notAfter);
  return { action: undefined, reason: 'up to date', nextAt: Math.min(...times) };
}
