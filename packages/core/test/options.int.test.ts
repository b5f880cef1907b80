import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Arg, CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { createTestNamespace, eventually } from '@kubeop/testing';
import { objects, operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const seen = new Map<string, Record<string, unknown>>();

@CustomResource(testResource)
class WithArgs extends ResourceHandler {
  @Arg({ description: 'a string' }) greeting!: string;
  @Arg({ default: 2 }) copies!: number;
  @Arg() verbose!: boolean;
  @Arg() labels!: string[];

  @OnAdded() async added(o: CustomObject) {
    seen.set(`${o.metadata.namespace}/${o.metadata.name}`, {
      greeting: this.greeting,
      copies: this.copies,
      verbose: this.verbose,
      labels: this.labels,
      argsGreeting: this.args.greeting,
      namespaceFlag: this.args.namespace,
    });
    this.logger.debug('a debug line from the handler');
    this.logger.info('an info line from the handler');
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [WithArgs] });

describe('@Arg values in handlers', () => {
  it('injects each flag into its property and this.args, from the command line and the environment', async () => {
    await runOperator([WithArgs], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--greeting', 'hi', '--verbose', '--labels', 'a', 'b'],
      env: { KUBEOP_COPIES: '5' },
    });
    await objects(env.kubeConfig, testResource, env.namespace).create('args');
    const values = await eventually(() => seen.get(`${env.namespace}/args`), 'the handler');
    expect(values).toEqual({
      greeting: 'hi',
      copies: 5,
      verbose: true,
      labels: ['a', 'b'],
      argsGreeting: 'hi',
      namespaceFlag: env.namespace,
    });
  });
});

describe('--namespace', () => {
  it('watches only that namespace', async () => {
    const other = await createTestNamespace(env.kubeConfig, 'options-other');
    await runOperator([WithArgs], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await objects(env.kubeConfig, testResource, other).create('elsewhere');
    await objects(env.kubeConfig, testResource, env.namespace).create('here');
    await eventually(() => seen.get(`${env.namespace}/here`), 'the object in the watched namespace');
    // Created before `here` and in the same API server: had it been watched, it would have been handled first.
    expect(seen.has(`${other}/elsewhere`)).toBe(false);
  });
});

describe('logging', () => {
  it('gives handlers a child logger carrying the object and the event', async () => {
    const running = await runOperator([WithArgs], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await objects(env.kubeConfig, testResource, env.namespace).create('logged');
    const line = await eventually(
      () =>
        parseLogs(running.logs).find(
          (l) => l.message === 'an info line from the handler' && l.object === `${env.namespace}/logged`,
        ),
      'the handler log line',
    );
    expect(line).toMatchObject({ level: 'info', event: 'added', resource: 'widgets.it.kubeop.dev' });
  });

  it('filters by --log-level', async () => {
    const quiet = await runOperator([WithArgs], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--log-level', 'warn'],
    });
    await objects(env.kubeConfig, testResource, env.namespace).create('filtered');
    await eventually(() => seen.get(`${env.namespace}/filtered`), 'the handler');
    await quiet.stop();
    const levels = new Set(parseLogs(quiet.logs).map((l) => l.level));
    expect([...levels].filter((l) => l === 'info' || l === 'debug')).toEqual([]);
    expect(quiet.logText()).not.toContain('a debug line');

    // runOperator passes --log-level debug before the test's flags; the last one wins above, the default here.
    const verbose = await runOperator([WithArgs], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await objects(env.kubeConfig, testResource, env.namespace).create('verbose');
    await eventually(() => verbose.logText().includes('a debug line from the handler'), 'the debug line');
  });
});
