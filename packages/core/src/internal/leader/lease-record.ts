// The pure half of leader election: timing rules, whether a Lease may be taken, and the specs to write.

/** `spec` of a `coordination.k8s.io/v1` Lease, as far as leader election uses it. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with microseconds. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace?: string; resourceVersion?: string; [field: string]: unknown };
  spec?: LeaseSpec;
}

/** client-go's JitterFactor: its retries wait up to 1.2 retry periods more, so the deadline must allow for that. */
const JITTER_FACTOR = 1.2;

/**
 * Checks the timings (seconds, as the flags give them) by client-go's rules; the message names the flags.
 * The leader gives up after `renewDeadline` without a renewal, a standby waits `leaseDuration` from the last change
 * it saw: renewDeadline < leaseDuration is what makes the old leader stop before anyone else can start.
 */
export function validateLeaderElectionTimings(t: {
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}): string | undefined {
  for (const [flag, value] of [
    ['--lease-duration', t.leaseDuration],
    ['--renew-deadline', t.renewDeadline],
    ['--retry-period', t.retryPeriod],
  ] as const) {
    if (!(value > 0) || !Number.isFinite(value)) return `${flag} must be a number of seconds above 0, not ${value}`;
  }
  if (t.renewDeadline >= t.leaseDuration) {
    return `--renew-deadline (${t.renewDeadline} s) must be shorter than --lease-duration (${t.leaseDuration} s), or a leader cut off from the API server could still be acting when a standby takes over`;
  }
  if (t.renewDeadline <= JITTER_FACTOR * t.retryPeriod) {
    return `--renew-deadline (${t.renewDeadline} s) must be longer than ${JITTER_FACTOR} × --retry-period (${t.retryPeriod} s), so the leader can retry a failed renewal before its deadline`;
  }
  return undefined;
}

export type LeaseState =
  | { kind: 'free' }
  | { kind: 'mine' }
  /** Held by another whose lease has not expired by our observation; `expiresInMs` is how long it has left. */
  | { kind: 'held'; holder: string; expiresInMs: number };

/**
 * Whether `identity` may take the lease. Expiry is judged by *our* clock from when we saw the record last change
 * (`observedAtMs`), never by the server's renewTime: clocks of nodes may disagree, elapsed local time does not.
 */
export function leaseState(
  spec: LeaseSpec | undefined,
  identity: string,
  observedAtMs: number,
  nowMs: number,
): LeaseState {
  const holder = spec?.holderIdentity;
  if (!holder) return { kind: 'free' };
  if (holder === identity) return { kind: 'mine' };
  const expiresInMs = observedAtMs + (spec.leaseDurationSeconds ?? 0) * 1000 - nowMs;
  return expiresInMs > 0 ? { kind: 'held', holder, expiresInMs } : { kind: 'free' };
}

/** What identifies a version of the record: a change in any of it restarts the expiry countdown. */
export function recordKey(spec: LeaseSpec | undefined): string {
  const s = spec ?? {};
  return JSON.stringify([
    s.holderIdentity ?? '',
    s.leaseDurationSeconds,
    s.acquireTime,
    s.renewTime,
    s.leaseTransitions,
  ]);
}

/** A MicroTime: `2026-11-26T18:00:00.123000Z` (the API server wants six fraction digits). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

/** The spec that makes `identity` the holder; a change of holder starts a new term (acquireTime, transitions + 1). */
export function takeSpec(old: LeaseSpec | undefined, identity: string, leaseDurationMs: number, now: Date): LeaseSpec {
  const time = microTime(now);
  // Whole seconds in the record, rounded up: others then wait at least as long as we intend.
  const base = { holderIdentity: identity, leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000), renewTime: time };
  if (old?.holderIdentity === identity)
    return { ...base, acquireTime: old.acquireTime ?? time, leaseTransitions: old.leaseTransitions ?? 0 };
  const transitions = old?.leaseTransitions ?? 0;
  // A free lease with a record of an earlier holder is a transition; a brand-new lease is not.
  return { ...base, acquireTime: time, leaseTransitions: old ? transitions + 1 : 0 };
}

/** client-go's release: no holder and a 1 s duration, so a standby sees it free at its next try. */
export function releaseSpec(old: LeaseSpec | undefined, now: Date): LeaseSpec {
  const time = microTime(now);
  return { leaseDurationSeconds: 1, acquireTime: time, renewTime: time, leaseTransitions: old?.leaseTransitions ?? 0 };
}
