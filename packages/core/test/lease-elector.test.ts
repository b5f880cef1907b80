import { describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../src/kube/errors.js';
import type { RequestOptions } from '../src/kube/client.js';
import { DRY_RUN_EXEMPT } from '../src/kube/dry-run.js';
import { LeadershipLostError, LeaseElector, defaultIdentity } from '../src/internal/leader/lease-elector.js';
import {
  type Lease,
  leaseState,
  microTime,
  recordKey,
  releaseSpec,
  takeSpec,
  validateLeaderElectionTimings,
} from '../src/internal/leader/lease-record.js';

describe('validateLeaderElectionTimings', () => {
  it("accepts client-go's defaults", () => {
    expect(validateLeaderElectionTimings({ leaseDuration: 15, renewDeadline: 10, retryPeriod: 2 })).toBeUndefined();
  });

  it.each([
    [
      { leaseDuration: 0, renewDeadline: 10, retryPeriod: 2 },
      '--lease-duration must be a number of seconds above 0, not 0',
    ],
    [
      { leaseDuration: 15, renewDeadline: -1, retryPeriod: 2 },
      '--renew-deadline must be a number of seconds above 0, not -1',
    ],
    [
      { leaseDuration: 15, renewDeadline: 10, retryPeriod: NaN },
      '--retry-period must be a number of seconds above 0, not NaN',
    ],
    [
      { leaseDuration: 10, renewDeadline: 10, retryPeriod: 2 },
      '--renew-deadline (10 s) must be shorter than --lease-duration (10 s)',
    ],
    [
      { leaseDuration: 15, renewDeadline: 20, retryPeriod: 2 },
      '--renew-deadline (20 s) must be shorter than --lease-duration (15 s)',
    ],
    [
      { leaseDuration: 15, renewDeadline: 10, retryPeriod: 10 },
      '--renew-deadline (10 s) must be longer than 1.2 × --retry-period (10 s)',
    ],
    [
      { leaseDuration: 15, renewDeadline: 6, retryPeriod: 5 },
      '--renew-deadline (6 s) must be longer than 1.2 × --retry-period (5 s)',
    ],
  ])('rejects %j', (timings, message) => {
    expect(validateLeaderElectionTimings(timings)).toMatch(new RegExp(`^${message.replace(/[().×]/g, '\\$&')}`));
  });
});

describe('leaseState', () => {
  const spec = { holderIdentity: 'other', leaseDurationSeconds: 15 };
  it('is free without a lease, a holder, or with an empty holder (released)', () => {
    expect(leaseState(undefined, 'me', 0, 0)).toEqual({ kind: 'free' });
    expect(leaseState({}, 'me', 0, 0)).toEqual({ kind: 'free' });
    expect(leaseState({ holderIdentity: '', leaseDurationSeconds: 1 }, 'me', 0, 0)).toEqual({ kind: 'free' });
  });
  it('is mine when I hold it, expired or not', () => {
    expect(leaseState({ ...spec, holderIdentity: 'me' }, 'me', 0, 1e9)).toEqual({ kind: 'mine' });
  });
  it('is held by another until the lease duration has passed since we saw it change, by our clock', () => {
    expect(leaseState(spec, 'me', 1_000, 1_000)).toEqual({ kind: 'held', holder: 'other', expiresInMs: 15_000 });
    expect(leaseState(spec, 'me', 1_000, 15_999)).toEqual({ kind: 'held', holder: 'other', expiresInMs: 1 });
    expect(leaseState(spec, 'me', 1_000, 16_000)).toEqual({ kind: 'free' });
  });
  it("ignores the server's renewTime: a holder whose clock is far behind is still held", () => {
    expect(leaseState({ ...spec, renewTime: '2000-01-01T00:00:00.000000Z' }, 'me', 1_000, 2_000).kind).toBe('held');
  });
});

describe('lease specs', () => {
  const now = new Date('2026-11-26T18:00:00.123Z');
  it('writes MicroTime with six fraction digits', () => {
    expect(microTime(now)).toBe('2026-11-26T18:00:00.123000Z');
  });
  it('starts a new lease at 0 transitions, rounding the duration up to whole seconds', () => {
    expect(takeSpec(undefined, 'me', 2_500, now)).toEqual({
      holderIdentity: 'me',
      leaseDurationSeconds: 3,
      acquireTime: '2026-11-26T18:00:00.123000Z',
      renewTime: '2026-11-26T18:00:00.123000Z',
      leaseTransitions: 0,
    });
  });
  it('counts a transition when the holder changes, from another or from a released lease', () => {
    const old = {
      holderIdentity: 'other',
      leaseDurationSeconds: 15,
      acquireTime: 'then',
      renewTime: 'then',
      leaseTransitions: 4,
    };
    expect(takeSpec(old, 'me', 15_000, now)).toMatchObject({
      holderIdentity: 'me',
      acquireTime: microTime(now),
      leaseTransitions: 5,
    });
    expect(takeSpec(releaseSpec(old, now), 'me', 15_000, now)).toMatchObject({ leaseTransitions: 5 });
  });
  it('keeps acquireTime and transitions on a renewal', () => {
    const mine = {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: 'then',
      renewTime: 'then',
      leaseTransitions: 4,
    };
    expect(takeSpec(mine, 'me', 15_000, now)).toEqual({ ...mine, renewTime: microTime(now) });
  });
  it('releases as client-go does: no holder, a 1 s duration, transitions kept', () => {
    expect(releaseSpec({ holderIdentity: 'me', leaseTransitions: 2 }, now)).toEqual({
      leaseDurationSeconds: 1,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 2,
    });
  });
  it('tells records apart by every field, and not by metadata', () => {
    const a = takeSpec(undefined, 'me', 15_000, now);
    expect(recordKey(a)).toBe(recordKey({ ...a }));
    expect(recordKey(a)).not.toBe(recordKey({ ...a, renewTime: 'later' }));
    expect(recordKey(undefined)).not.toBe(recordKey(a));
  });
});

it('defaultIdentity is the host name and a suffix that differs per call', () => {
  expect(defaultIdentity()).toMatch(/^.+_[0-9a-f-]{36}$/);
  expect(defaultIdentity()).not.toBe(defaultIdentity());
});

/** One lease in memory with resourceVersions, 404 and 409 as the API server; `hang` leaves requests unanswered. */
class FakeLeases {
  lease: Lease | undefined;
  rv = 0;
  hang = false;
  aborted = 0;
  requests: string[] = [];
  /** The writes marked to go as they are under --dry-run. */
  exemptWrites: string[] = [];

  request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<T> => {
    this.requests.push(method);
    if (method !== 'GET' && options[DRY_RUN_EXEMPT]) this.exemptWrites.push(method);
    if (!Number.isInteger(options.timeoutMs))
      throw new RangeError(`timeoutMs must be whole ms (a timer's delay), not ${options.timeoutMs}`);
    // A renewal held up by --kube-api-qps past the renew deadline would end the leadership.
    if (options.throttle !== false) throw new Error(`${method} of the Lease would wait for --kube-api-qps`);
    if (this.hang) {
      return new Promise<T>((_, reject) =>
        options.signal?.addEventListener('abort', () => (this.aborted++, reject(options.signal!.reason as Error)), {
          once: true,
        }),
      );
    }
    const body = options.body as Lease | undefined;
    const fail = (status: number) => new KubeApiError(status, method, path, undefined, undefined);
    if (method === 'GET') {
      if (!this.lease) throw fail(404);
      return structuredClone(this.lease) as T;
    }
    if (method === 'POST' && this.lease) throw fail(409);
    if (method === 'PUT' && (!this.lease || body!.metadata.resourceVersion !== this.lease.metadata.resourceVersion))
      throw fail(409);
    this.lease = { ...structuredClone(body!), metadata: { ...body!.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease) as T;
  };

  /** Another replica writes the lease. */
  set(spec: Lease['spec']): void {
    this.lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', resourceVersion: String(++this.rv) },
      spec,
    };
  }
}

const fast = {
  namespace: 'ns',
  name: 'l',
  identity: 'me',
  leaseDurationMs: 3_000,
  renewDeadlineMs: 200,
  retryPeriodMs: 20,
};

describe('LeaseElector on a fake API', () => {
  it('creates a missing lease and leads; ready once it has read the lease', async () => {
    const api = new FakeLeases();
    const elector = new LeaseElector({ ...fast, client: api });
    expect(elector.isReady).toBe(false);
    await expect(elector.acquire()).resolves.toBe(true);
    await elector.ready;
    expect(elector.isLeader).toBe(true);
    expect(api.requests.slice(0, 2)).toEqual(['GET', 'POST']);
    expect(api.lease!.spec).toMatchObject({ holderIdentity: 'me', leaseDurationSeconds: 3, leaseTransitions: 0 });
    elector.stop();
  });

  it('marks its writes exempt from dry run: two dry-run replicas must not both lead', async () => {
    const api = new FakeLeases();
    const elector = new LeaseElector({ ...fast, client: api });
    await elector.acquire();
    while (api.requests.filter((r) => r === 'PUT').length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    elector.stop();
    expect(api.requests.filter((r) => r !== 'GET')).toEqual(api.exemptWrites);
    expect(api.exemptWrites.slice(0, 3)).toEqual(['POST', 'PUT', 'PUT']);
  });

  it('stands by while another holds a fresh lease, and gives up when its signal aborts', async () => {
    const api = new FakeLeases();
    let now = 0;
    api.set({ holderIdentity: 'other', leaseDurationSeconds: 15 });
    const elector = new LeaseElector({ ...fast, client: api, now: () => now });
    const stop = new AbortController();
    const acquiring = elector.acquire(stop.signal);
    await elector.ready;
    now = 14_999; // by our clock, one ms before the lease we saw expires
    while (api.requests.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    await expect(acquiring).resolves.toBe(false);
    expect(api.requests).not.toContain('PUT');
    expect(elector.isLeader).toBe(false);
    expect(elector.holder).toBe('other');
  });

  it('takes a lease once it expired by our clock, counting the transition', async () => {
    const api = new FakeLeases();
    let now = 0;
    api.set({ holderIdentity: 'other', leaseDurationSeconds: 15, leaseTransitions: 1 });
    const elector = new LeaseElector({ ...fast, client: api, now: () => now });
    const acquiring = elector.acquire();
    while (api.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(api.requests).toEqual(['GET', 'GET', 'GET']); // held: no write tried
    now = 15_000;
    await expect(acquiring).resolves.toBe(true);
    expect(api.lease!.spec).toMatchObject({ holderIdentity: 'me', leaseTransitions: 2 });
    elector.stop();
  });

  it('signals lost once, as "taken", when a renewal finds another holder', async () => {
    const api = new FakeLeases();
    const elector = new LeaseElector({ ...fast, client: api });
    await elector.acquire();
    let signalled = 0;
    elector.lost.addEventListener('abort', () => signalled++);
    api.set({ holderIdentity: 'intruder', leaseDurationSeconds: 15 });
    await new Promise((resolve) => elector.lost.addEventListener('abort', resolve));
    expect(elector.lost.reason).toBeInstanceOf(LeadershipLostError);
    expect((elector.lost.reason as LeadershipLostError).reason).toBe('taken');
    expect(elector.isLeader).toBe(false);
    await elector.release(); // after loss: a no-op, and the intruder keeps the lease
    expect(api.lease!.spec!.holderIdentity).toBe('intruder');
    expect(signalled).toBe(1);
  });

  it('signals lost at the renew deadline while requests hang, and aborts them', async () => {
    const api = new FakeLeases();
    const elector = new LeaseElector({ ...fast, client: api });
    await elector.acquire();
    const sent = api.requests.length;
    api.hang = true;
    await new Promise((resolve) => elector.lost.addEventListener('abort', resolve));
    expect((elector.lost.reason as LeadershipLostError).reason).toBe('renew-deadline');
    expect(api.requests.length).toBeGreaterThan(sent); // it was trying, and the hung try did not stall the loss
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(api.aborted).toBe(api.requests.length - sent);
  });

  it('release() hands the lease over without signalling lost; stop() leaves it held', async () => {
    const api = new FakeLeases();
    const releasing = new LeaseElector({ ...fast, client: api });
    await releasing.acquire();
    await releasing.release();
    expect(api.lease!.spec).toMatchObject({ leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(api.lease!.spec!.holderIdentity).toBeUndefined();
    expect(releasing.isLeader).toBe(false);
    expect(releasing.lost.aborted).toBe(false);

    const stopping = new LeaseElector({ ...fast, client: api, identity: 'me-too' });
    await stopping.acquire();
    const writes = api.rv;
    stopping.stop();
    await new Promise((resolve) => setTimeout(resolve, 5 * fast.retryPeriodMs));
    expect(api.rv).toBe(writes);
    expect(api.lease!.spec).toMatchObject({ holderIdentity: 'me-too', leaseTransitions: 1 });
    expect(stopping.lost.aborted).toBe(false);
    await stopping.release(); // after stop: a no-op
    expect(api.rv).toBe(writes);
  });

  it('acquire() is once per elector', async () => {
    const elector = new LeaseElector({ ...fast, client: new FakeLeases() });
    await elector.acquire();
    await expect(elector.acquire()).rejects.toThrow(/once per LeaseElector/);
    elector.stop();
  });
});
