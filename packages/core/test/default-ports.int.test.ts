// Two operators started with no server flags on one machine both run, serve metrics and probes, and become ready.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { type Operator, prepareOperator } from '@kubeop/core/tooling';
import { eventually } from '@kubeop/testing';
import { operatorSuite } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const resource = { ...testResource, plural: 'sidebysides', singular: 'sidebyside', kind: 'SideBySide' };

@CustomResource(resource)
class SideBySide extends ResourceHandler {
  @OnAdded() async added() {}
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [SideBySide] });
const started: Operator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((operator) => operator.stop()));
});

/** Starts an operator as `bootstrap()` would, with no --metrics-bind-address or --health-probe-bind-address. */
async function start(): Promise<{ operator: Operator; log: () => string }> {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const argv = ['--kubeconfig', env.kubeconfigPath, '--namespace', env.namespace, '--log-format', 'json'];
  // No KUBERNETES_SERVICE_HOST: a developer's machine, not a pod.
  const prepared = prepareOperator({ handlers: [SideBySide], argv, env: {}, logStream });
  if (prepared.kind !== 'operator') throw new Error(prepared.output);
  await prepared.operator.start();
  started.push(prepared.operator);
  return { operator: prepared.operator, log: () => lines.join('') };
}

const served = (log: string, what: 'metrics' | 'probes') => {
  const url = new RegExp(`serving ${what} on (http://[^/ ]+)`).exec(log)?.[1];
  if (!url) throw new Error(`no ${what} server in the log: ${log}`);
  return url;
};

describe('default bind addresses', () => {
  it('let two operators run side by side on one machine, each serving metrics and probes on loopback', async () => {
    const first = await start();
    const second = await start();
    const urls = [first, second].flatMap(({ log }) => [served(log(), 'metrics'), served(log(), 'probes')]);
    expect(new Set(urls).size).toBe(4);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const { log } of [first, second]) {
      const probes = served(log(), 'probes');
      await eventually(async () => (await fetch(`${probes}/readyz`)).status === 200, 'both operators ready');
      const metrics = await fetch(`${served(log(), 'metrics')}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('controller_runtime_reconcile_total');
    }
  });
});
