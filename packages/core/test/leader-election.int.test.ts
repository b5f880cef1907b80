// Two replicas with --leader-elect, as real processes: exactly one handles objects; a SIGKILLed leader is
// replaced without losing or doubling work; a SIGTERMed leader hands over at once.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestNamespace, eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { JOURNAL_OPERATOR, journalLines } from './support/journal.js';
import { installCrd, objects } from './support/operator.js';
import { killAllOperators, type OperatorProcess, spawnOperator } from './support/process.js';
import { createStorm, names } from './support/storm.js';
import { testResource } from './support/test-resource.js';

let env: TestEnvironment;
beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, testResource);
});
afterAll(() => killAllOperators());

// Short timings keep the test brief; the same rules hold for the defaults (15 / 10 / 2 s). The renew deadline leaves
// a CPU-starved leader (CI with other work on 2 cores) room to renew, so it does not lose the lease by starvation.
const LEASE = { duration: 6, renew: 4, retry: 1 };

const isLeader = (p: OperatorProcess) => /became the leader/.test(p.output());

/** Replica `a`, once it leads, and replica `b`, once it waits as the standby, journaling to one file. */
async function leaderAndStandby(
  tag: string,
  delayMs: number,
): Promise<{ namespace: string; journal: string; a: OperatorProcess; b: OperatorProcess }> {
  const namespace = await createTestNamespace(env.kubeConfig, tag);
  const journal = join(tmpdir(), `kubeop-journal-${process.pid}-${tag}`);
  writeFileSync(journal, '');
  const flags = [
    '--namespace',
    namespace,
    '--max-concurrent',
    '8',
    '--log-level',
    'info',
    '--leader-elect',
    '--leader-election-namespace',
    namespace,
    '--lease-duration',
    String(LEASE.duration),
    '--renew-deadline',
    String(LEASE.renew),
    '--retry-period',
    String(LEASE.retry),
  ];
  const start = (id: string) =>
    spawnOperator(JOURNAL_OPERATOR, flags, {
      KUBECONFIG: env.kubeconfigPath,
      JOURNAL: journal,
      HANDLER_DELAY_MS: String(delayMs),
      REPLICA: id,
    });
  const a = start('a');
  await eventually(() => isLeader(a), 'replica a to lead');
  const b = start('b');
  await b.waitForOutput(/waiting to be elected leader/);
  return { namespace, journal, a, b };
}

/**
 * Runs of one object by different replicas whose [start, done] intervals overlap. A run with no `done` was cut
 * short by a kill: it ended when its process exited, at `killedAt`.
 */
function overlappingRuns(journal: string, killedAt: number): string[] {
  const runs = new Map<string, Array<{ replica: string; start: number; done: number }>>();
  const open = new Map<string, number>();
  for (const line of journalLines(journal)) {
    const key = `${line.name} ${line.replica}`;
    if (line.kind === 'start') open.set(key, line.at);
    else {
      const list = runs.get(line.name) ?? [];
      list.push({ replica: line.replica, start: open.get(key) ?? line.at, done: line.at });
      runs.set(line.name, list);
      open.delete(key);
    }
  }
  for (const [key, start] of open) {
    const [name, replica] = key.split(' ') as [string, string];
    const list = runs.get(name) ?? [];
    list.push({ replica, start, done: killedAt });
    runs.set(name, list);
  }
  return [...runs]
    .filter(([, list]) =>
      list.some((a) => list.some((b) => a.replica !== b.replica && a.start < b.done && b.start < a.done)),
    )
    .map(([n]) => n);
}

describe('two replicas with --leader-elect', () => {
  it('hand over after the leader is SIGKILLed mid-storm: all handled, none lost, none by both at once', async () => {
    const { namespace, journal, a, b } = await leaderAndStandby('leader-kill', 20);
    const items = objects(env.kubeConfig, testResource, namespace);
    const all = names('lead', 300);
    const storm = createStorm(items, all, 10);
    await eventually(
      () => journalLines(journal).filter((l) => l.kind === 'done').length >= 100,
      '100 objects done by the leader',
    );
    // Only the leader handled anything so far.
    if (new Set(journalLines(journal).map((l) => l.replica)).size > 1)
      process.stderr.write(`A:\n${a.output()}\nB:\n${b.output()}\n`);
    expect(new Set(journalLines(journal).map((l) => l.replica))).toEqual(new Set(['a']));
    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    await storm;
    await eventually(
      async () => {
        const listed = (await items.api.listNamespacedCustomObject({ ...testResource, namespace })) as {
          items: Array<{ status?: { state?: string } }>;
        };
        return listed.items.filter((o) => o.status?.state === 'done').length === all.length;
      },
      'every object done',
      120_000,
    );
    const lines = journalLines(journal);
    const firstByB = lines.find((l) => l.replica === 'b' && l.kind === 'start');
    const takeoverMs = firstByB!.at - killedAt;
    const handledByBoth = new Set(lines.filter((l) => l.kind === 'done' && l.replica === 'a').map((l) => l.name));
    const twice = lines
      .filter((l) => l.kind === 'done' && l.replica === 'b' && handledByBoth.has(l.name))
      .map((l) => l.name);
    process.stderr.write(
      `[leader] SIGKILL of the leader at ${handledByBoth.size} done: takeover after ${takeoverMs} ms ` +
        `(lease ${LEASE.duration} s, retry ${LEASE.retry} s); done by both ${twice.length}; lost 0\n`,
    );
    expect(overlappingRuns(journal, killedAt)).toEqual([]);
    expect(twice).toEqual([]);
    // The standby handled nothing while the leader lived.
    expect(firstByB!.at).toBeGreaterThanOrEqual(killedAt);
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  });

  it('hand over at once when the leader is stopped with SIGTERM (the lease is released)', async () => {
    const { namespace, journal, a, b } = await leaderAndStandby('leader-term', 0);
    const items = objects(env.kubeConfig, testResource, namespace);
    await items.create('before');
    await eventually(
      () => journalLines(journal).some((l) => l.kind === 'done' && l.name === 'before'),
      'the first object',
    );
    a.child.kill('SIGTERM');
    const exit = await a.exited;
    if (exit.code !== 0)
      process.stderr.write(`[leader] replica a exited with ${JSON.stringify(exit)}; its output:\n${a.output()}\n`);
    expect(exit.code).toBe(0);
    const stoppedAt = Date.now();
    await items.create('after');
    await eventually(
      () => journalLines(journal).some((l) => l.kind === 'done' && l.name === 'after'),
      'the object created after the handover',
    );
    const handled = journalLines(journal).find((l) => l.kind === 'done' && l.name === 'after')!;
    process.stderr.write(
      `[leader] SIGTERM of the leader: the standby handled the next object ${handled.at - stoppedAt} ms after the leader exited\n`,
    );
    expect(handled.replica).toBe('b');
    expect(a.output()).toMatch(/released lease /);
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  });
});
