// Leader election on a real API server: one leader at a time, a quick handover on release, and a leader cut off
// from the API server that gives up before anyone else can take its lease.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, type FaultProxy, startFaultProxy, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { createRootLogger } from '../src/logging.js';
import { LeadershipLostError, LeaseElector, type LeaseElectorOptions } from '../src/internal/leader/lease-elector.js';
import type { Lease } from '../src/internal/leader/lease-record.js';

// Short timings, with client-go's proportions: a standby waits 4 s, the leader gives up after 3 s without renewal.
const timings = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };
/** A deliberate wait, to show that something does not happen. */
const hold = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let env: TestEnvironment;
let client: KubeClient;
let proxy: FaultProxy;
let proxied: KubeClient;
const electors: LeaseElector[] = [];
const logs: string[] = [];

beforeAll(async () => {
  env = await testEnvironment();
  client = new KubeClient(env.kubeConfig);
  proxy = await startFaultProxy(
    { server: env.kubeConfig.getCurrentCluster()!.server, kubeConfig: env.kubeConfig },
    join(tmpdir(), `kubeop-lease-${process.pid}.kubeconfig`),
  );
  proxied = new KubeClient(proxy.kubeConfig);
});
afterEach(() => {
  for (const elector of electors.splice(0)) elector.stop();
  process.stderr.write(
    logs
      .splice(0)
      .map((line) => `[lease] ${line}`)
      .join(''),
  );
  proxy.resume();
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([client?.close(0), proxied?.close(0)]);
});

function elector(name: string, identity: string, options: Partial<LeaseElectorOptions> = {}): LeaseElector {
  const stream = new Writable({ write: (chunk, _, done) => (logs.push(String(chunk)), done()) });
  const logger = createRootLogger({ level: 'info', format: 'text', stream });
  const made = new LeaseElector({ client, namespace: env.namespace, name, identity, logger, ...timings, ...options });
  electors.push(made);
  return made;
}

/** Starts acquiring; `at` is set (performance.now()) when it leads. */
function campaign(e: LeaseElector): { done: Promise<boolean>; at: () => number | undefined } {
  let at: number | undefined;
  const done = e.acquire().then((leading) => ((at = performance.now()), leading));
  return { done, at: () => at };
}

const readLease = (name: string) =>
  client.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${env.namespace}/leases/${name}`);
const ms = (microTime: string | undefined) => Date.parse(microTime!);

describe('LeaseElector', () => {
  it('lets exactly one of two lead, and the other stays standby while the leader renews', async () => {
    const [a, b] = [elector('one-leader', 'a'), elector('one-leader', 'b')];
    campaign(a);
    campaign(b);
    const leader = await eventually(() => (a.isLeader ? a : b.isLeader ? b : undefined), 'a leader');
    const standby = leader === a ? b : a;
    await standby.ready;
    // Watch for longer than a lease duration, through many renewals: a standby must never take a renewed lease.
    // Violations are recorded, not thrown: eventually() would retry past a thrown one.
    const renewals = new Set<string>();
    const violations: string[] = [];
    const since = performance.now();
    await eventually(
      async () => {
        if (!leader.isLeader || standby.isLeader)
          violations.push(`leader ${leader.isLeader}, standby ${standby.isLeader}`);
        const lease = await readLease('one-leader');
        if (lease.spec?.holderIdentity !== leader.identity) violations.push(`held by ${lease.spec?.holderIdentity}`);
        renewals.add(lease.spec!.renewTime!);
        return renewals.size >= 8 && performance.now() - since > 2 * timings.leaseDurationMs;
      },
      'renewals over two lease durations',
      60_000,
    );
    expect(violations).toEqual([]);
    expect(leader.lost.aborted).toBe(false);
    expect((await readLease('one-leader')).spec?.leaseTransitions).toBe(0);
  });

  it('release() hands over to the standby at its next try', async () => {
    const [a, b] = [elector('handover', 'a'), elector('handover', 'b')];
    await campaign(a).done;
    const standby = campaign(b);
    await b.ready;
    const releasedAt = performance.now();
    await a.release();
    expect(a.isLeader).toBe(false);
    await standby.done;
    const takeoverMs = standby.at()! - releasedAt;
    process.stderr.write(
      `[lease] takeover after release(): ${Math.round(takeoverMs)} ms (retry period ${timings.retryPeriodMs} ms)\n`,
    );
    const lease = await readLease('handover');
    expect(lease.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, leaseDurationSeconds: 4 });
    expect(a.lost.aborted).toBe(false);
  });

  it('a leader cut off from the API server signals lost before the standby acquires', async () => {
    // The leader talks through the proxy; the standby directly.
    const a = elector('cut-off', 'a', { client: proxied });
    const b = elector('cut-off', 'b');
    await campaign(a).done;
    let lostAt: number | undefined;
    a.lost.addEventListener('abort', () => (lostAt = performance.now()));
    const standby = campaign(b);
    await b.ready;
    // Open connections hang silently, new ones are refused: a renewal in flight cannot stall the deadline.
    const cutAt = performance.now();
    proxy.freeze();
    proxy.refuse();
    await standby.done;
    expect(lostAt).toBeDefined();
    expect((a.lost.reason as LeadershipLostError).reason).toBe('renew-deadline');
    expect(lostAt!).toBeLessThan(standby.at()!);
    process.stderr.write(
      `[lease] API access cut: leader signalled lost after ${Math.round(lostAt! - cutAt)} ms, standby acquired after ${Math.round(standby.at()! - cutAt)} ms (${Math.round(standby.at()! - lostAt!)} ms later)\n`,
    );
    expect((await readLease('cut-off')).spec?.holderIdentity).toBe('b');
  });

  it('stop() without release leaves the lease held until it expires', async () => {
    const [a, b] = [elector('expiry', 'a'), elector('expiry', 'b')];
    await campaign(a).done;
    const standby = campaign(b);
    await b.ready;
    a.stop();
    const stoppedAt = performance.now();
    expect(b.isLeader).toBe(false);
    const held = await readLease('expiry'); // a's last renewal (a renewal cut short by stop() may land later still)
    expect(held.spec?.holderIdentity).toBe('a');
    await hold(timings.retryPeriodMs * 2);
    expect(b.isLeader).toBe(false);
    await standby.done;
    const taken = await readLease('expiry');
    expect(taken.spec?.holderIdentity).toBe('b');
    // Both timestamps come from this machine's clock: b took over no sooner than a lease duration after a's renewal.
    // (1 ms: MicroTimes carry whole ms of Date, the elector measures on the monotonic clock.)
    expect(ms(taken.spec?.acquireTime) - ms(held.spec?.renewTime)).toBeGreaterThanOrEqual(timings.leaseDurationMs - 1);
    expect(a.lost.aborted).toBe(false);
    process.stderr.write(
      `[lease] takeover after stop() without release: ${Math.round(standby.at()! - stoppedAt)} ms (lease duration ${timings.leaseDurationMs} ms)\n`,
    );
  });
});
