import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { killAllOperators, SAMPLE_MAIN, spawnOperator } from './support/process.js';

let env: TestEnvironment;
beforeAll(async () => {
  env = await testEnvironment();
});
afterAll(() => killAllOperators());

describe('the operator process', () => {
  it('prints --help with the built-in flags, the @Arg flags and the environment prefix, and exits 0', async () => {
    const run = spawnOperator(SAMPLE_MAIN, ['--help']);
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const help = run.output();
    for (const flag of [
      '--create-crd',
      '--namespace',
      '--log-level',
      '--log-format',
      '--kubeconfig',
      '--context',
      '--version',
    ]) {
      expect(help).toContain(flag);
    }
    expect(help).toMatch(/--my-argument\s+My useful arg/);
    expect(help).toContain('KUBEOP_LOG_LEVEL');
  });

  it('prints --version', async () => {
    const run = spawnOperator(SAMPLE_MAIN, ['--version']);
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output().trim()).toBe('0.1.0');
  });

  it.each([
    [['--bogus'], /Unknown argument: --bogus/],
    [['--log-level', 'loud'], /Invalid values:\s+Argument: log-level, Given: "loud"/],
    [['--max-concurrent', 'lots'], /--max-concurrent expects a number/],
    [['--watchdog', '0'], /--watchdog 0 is out of range: must be greater than 0/],
    [['--retry-delay', '-5'], /--retry-delay -5 is out of range: must be greater than 0/],
    [['--kube-api-qps', '-1'], /--kube-api-qps -1 is out of range: must be at least 0/],
    [['--kube-api-qps', '5', '--kube-api-burst', '0'], /--kube-api-burst 0 is out of range: must be at least 1/],
  ])('refuses %j with exit code 2 and a clear message', async (args, message) => {
    const run = spawnOperator(SAMPLE_MAIN, args);
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.output()).toMatch(message);
    expect(run.output()).toContain('Run with --help');
  });

  it('names the environment variable an out-of-range value came from, with exit code 2', async () => {
    const run = spawnOperator(SAMPLE_MAIN, [], { KUBEOP_MAX_CONCURRENT: '0' });
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.output()).toContain(
      'KUBEOP_MAX_CONCURRENT=0 (sets --max-concurrent) is out of range: must be at least 1',
    );
  });

  it('says what is missing when there is no kubeconfig, instead of trying localhost:8080', async () => {
    const run = spawnOperator(SAMPLE_MAIN, []);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain('No Kubernetes configuration found');
    expect(run.output()).not.toContain('8080');
  });

  it('names a kubeconfig file that does not exist', async () => {
    const run = spawnOperator(SAMPLE_MAIN, ['--kubeconfig', '/nope/config']);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain('The kubeconfig file /nope/config (from --kubeconfig) does not exist');
  });

  it.each([
    ['empty', '', /cannot be used: it is empty/],
    ['unparsable', 'apiVersion: v1\nclusters: [ {name:\n', /cannot be used: .*indentation/],
    ['incomplete', 'apiVersion: v1\nclusters:\n- name: a\n', /cannot be used: clusters\[0\]\.cluster is missing/],
  ])('names a kubeconfig file that is %s', async (_, contents, reason) => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeop-kubeconfig-'));
    const file = join(dir, 'config');
    await writeFile(file, contents);
    const run = spawnOperator(SAMPLE_MAIN, [], { KUBECONFIG: file });
    const exited = await run.exited;
    await rm(dir, { recursive: true });
    expect(exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain(`The kubeconfig file ${file} (from KUBECONFIG) cannot be used: `);
    expect(run.output()).toMatch(reason);
  });

  it('names an unknown context', async () => {
    const run = spawnOperator(SAMPLE_MAIN, ['--context', 'nowhere'], { KUBECONFIG: env.kubeconfigPath });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(/The context "nowhere" is not in the kubeconfig; known contexts: \S+/);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops cleanly on %s with exit code 0', async (signal) => {
    const run = spawnOperator(SAMPLE_MAIN, ['--create-crd', '--namespace', env.namespace], {
      KUBECONFIG: env.kubeconfigPath,
    });
    await run.waitForOutput(/watching testobjects.example.kubeop.dev in namespace/);
    run.child.kill(signal);
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain(`${signal} received: stopping`);
    expect(run.output()).toContain('operator stopped');
  });

  it('reads flags from KUBEOP_* environment variables', async () => {
    const run = spawnOperator(SAMPLE_MAIN, ['--create-crd'], {
      KUBECONFIG: env.kubeconfigPath,
      KUBEOP_NAMESPACE: env.namespace,
      KUBEOP_LOG_FORMAT: 'json',
    });
    await run.waitForOutput(
      new RegExp(`"message":"watching testobjects.example.kubeop.dev in namespace ${env.namespace}"`),
    );
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  });
});
