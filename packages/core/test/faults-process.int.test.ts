// The operator process itself killed (SIGKILL) or asked to stop (SIGTERM) while handlers run.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestNamespace, eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { JOURNAL_OPERATOR, readJournal } from './support/journal.js';
import { installCrd, objects } from './support/operator.js';
import { killAllOperators, spawnOperator } from './support/process.js';
import { createStorm, names } from './support/storm.js';
import { testResource } from './support/test-resource.js';

const FIXTURE = JOURNAL_OPERATOR;

let env: TestEnvironment;
beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, testResource);
});
afterAll(() => killAllOperators());

describe('the operator killed with SIGKILL mid-storm and started again', () => {
  it('loses no object and handles again only those in flight at the kill', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'sigkill');
    const journal = join(tmpdir(), `kubeop-journal-${process.pid}-kill`);
    writeFileSync(journal, '');
    const items = objects(env.kubeConfig, testResource, namespace);
    const all = names('kill', 300);
    const flags = ['--namespace', namespace, '--max-concurrent', '8', '--log-level', 'warn'];
    const processEnv = { KUBECONFIG: env.kubeconfigPath, JOURNAL: journal, HANDLER_DELAY_MS: '20' };

    const first = spawnOperator(FIXTURE, flags, processEnv);
    const storm = createStorm(items, all, 10);
    await eventually(() => readJournal(journal).filter(([kind]) => kind === 'done').length >= 100, '100 objects done');
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const atKill = readJournal(journal);
    const doneBefore = new Set(atKill.filter(([kind]) => kind === 'done').map(([, name]) => name));
    const inFlight = new Set(
      atKill.filter(([kind, name]) => kind === 'start' && !doneBefore.has(name)).map(([, name]) => name),
    );
    const startedAtKill = atKill.length;

    const second = spawnOperator(FIXTURE, flags, processEnv);
    await storm;
    // Done means the status is written; the journal's `done` line may be missing for a run killed just after that.
    const listDone = async () => {
      const listed = (await items.api.listNamespacedCustomObject({ ...testResource, namespace })) as {
        items: Array<{ status?: { state?: string } }>;
      };
      return listed.items.filter((o) => o.status?.state === 'done').length;
    };
    await eventually(async () => (await listDone()) === all.length, 'every object done', 120_000);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const startedAgain = readJournal(journal)
      .slice(startedAtKill)
      .filter(([kind, name]) => kind === 'start' && (doneBefore.has(name) || inFlight.has(name)))
      .map(([, name]) => name);
    process.stderr.write(
      `[sigkill] created ${all.length}; done before the kill ${doneBefore.size}, in flight ${inFlight.size}; ` +
        `handled again after restart ${startedAgain.length}; lost 0\n`,
    );
    expect(startedAgain.filter((name) => doneBefore.has(name))).toEqual([]);
    expect(new Set(startedAgain).size).toBe(startedAgain.length);
    for (const name of startedAgain) expect(inFlight.has(name)).toBe(true);
    expect(await listDone()).toBe(all.length);
  });
});

describe('SIGTERM during a slow handler', () => {
  it('lets the handler finish, starts nothing new and exits 0', async () => {
    const namespace = await createTestNamespace(env.kubeConfig, 'sigterm');
    const journal = join(tmpdir(), `kubeop-journal-${process.pid}-term`);
    writeFileSync(journal, '');
    const items = objects(env.kubeConfig, testResource, namespace);
    const run = spawnOperator(FIXTURE, ['--namespace', namespace, '--max-concurrent', '1'], {
      KUBECONFIG: env.kubeconfigPath,
      JOURNAL: journal,
      HANDLER_DELAY_MS: '3000',
    });
    await run.waitForOutput(/watching widgets/);
    await items.create('slow');
    await items.create('queued');
    await eventually(
      () => readJournal(journal).some(([kind, name]) => kind === 'start' && name === 'slow'),
      'the slow handler to start',
    );
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(readJournal(journal)).toEqual([
      ['start', 'slow'],
      ['done', 'slow'],
    ]);
    expect((await items.get('slow'))?.status).toEqual({ state: 'done' });
    expect(run.output()).toMatch(/SIGTERM received: stopping[\s\S]*operator stopped/);
  });
});

describe('a CRD that is not installed', () => {
  it('stops the operator with a message naming the CRD and the way out, and a non-zero exit code', async () => {
    const run = spawnOperator(FIXTURE, ['--namespace', env.namespace], {
      KUBECONFIG: env.kubeconfigPath,
      JOURNAL: '/dev/null',
      RESOURCE_PLURAL: 'notinstalleds',
    });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain(
      'the operator could not start: The CustomResourceDefinition notinstalleds.it.kubeop.dev (version v1) is not installed in the cluster. ' +
        'Install it (kubeop crd | kubectl apply -f -, or the manifests of kubeop manifests) or start the operator with --create-crd.',
    );
  });
});
