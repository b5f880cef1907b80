// Work owed to an object outlives what would lose it: a failed run across an operator restart (the state rule
// would skip it), and a status the API server kept refusing for a while (sent again, the handler not re-run).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { KubeClient } from '../src/kube/client.js';
import { objectPath } from '../src/kube/resource.js';
import { installCrd, objects, operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const calls = new Map<string, number>();
const record = (name: string) => {
  calls.set(name, (calls.get(name) ?? 0) + 1);
  return calls.get(name)!;
};

@CustomResource(testResource)
class Provisioner extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    if (record(o.metadata.name) === 1) {
      await this.setStatus({ state: 'provisioning' });
      throw new Error('provisioning failed half-way');
    }
    await this.setStatus({ state: 'done', calls: calls.get(o.metadata.name) });
  }
}

const flaky = {
  ...testResource,
  group: 'resend.kubeop.dev',
  plural: 'resendwidgets',
  singular: 'resendwidget',
  kind: 'ResendWidget',
};
const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${flaky.plural}.${flaky.group}`;
let client: KubeClient;

/** Takes the resource out of service (every request on it answers 404, as after an API server restart) or back. */
async function setServed(served: boolean, name: string, namespace: string): Promise<void> {
  await client.request('PATCH', crdPath, {
    body: [{ op: 'replace', path: '/spec/versions/0/served', value: served }],
    contentType: 'application/json-patch+json',
  });
  const path = objectPath({ ...flaky, scope: 'Namespaced' }, name, namespace);
  await eventually(
    async () => {
      try {
        await client.request('GET', path);
        return served;
      } catch (error) {
        return !served && (error as { isPathNotFound?: boolean }).isPathNotFound === true;
      }
    },
    `the resource to be ${served ? 'served' : 'out of service'}`,
  );
}

@CustomResource(flaky)
class Writer extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    record(o.metadata.name);
    // The handler's work succeeds; its status cannot be written until the resource is served again.
    await setServed(false, o.metadata.name, o.metadata.namespace!);
    this.status = { state: 'done' };
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Provisioner] });
beforeAll(async () => {
  client = new KubeClient(env.kubeConfig);
  await installCrd(env.kubeConfig, flaky);
});
afterAll(() => client.close());

describe('a failed run that wrote status.state', () => {
  it('is run again after an operator restart, although the state rule would skip the object', async () => {
    const items = objects(env.kubeConfig, testResource, env.namespace);
    // No retry within the test: the run is owed when the operator stops.
    const first = await runOperator([Provisioner], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '600', '--retry-max-delay', '600'],
    });
    await items.create('owed');
    await eventually(
      async () => (await items.get('owed'))?.metadata.annotations?.['kubeop.dev/owed-run'] === 'added',
      'the owed run noted on the object',
    );
    expect((await items.get('owed'))?.status).toEqual({ state: 'provisioning' });
    await first.stop();

    await runOperator([Provisioner], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    const done = await eventually(async () => {
      const o = await items.get('owed');
      return o?.status?.state === 'done' && !o.metadata.annotations?.['kubeop.dev/owed-run'] ? o : undefined;
    }, 'the owed run, and its note removed');
    expect(done.status).toEqual({ state: 'done', calls: 2 });
    expect(calls.get('owed')).toBe(2);
  });
});

describe('a status write that keeps failing transiently', () => {
  it('is sent again until it is written, without running the handler again', async () => {
    const running = await runOperator([Writer], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      // Each run retries its writes for at most 1 s; then the queue sends the status again, with backoff.
      argv: ['--retry-delay', '0.2', '--retry-max-delay', '1'],
    });
    const items = objects(env.kubeConfig, flaky, env.namespace);
    await items.create('resent');
    const failures = () =>
      parseLogs(running.logs).filter((l) => l.object === `${env.namespace}/resent` && l.level === 'error');
    await eventually(() => failures().length >= 2, 'the write to fail, and its resend too');
    expect(failures()[1]!.message).toContain('writing the status of');
    await setServed(true, 'resent', env.namespace);
    await eventually(async () => (await items.get('resent'))?.status?.state === 'done', 'the status sent again');
    expect(calls.get('resent')).toBe(1);
  });
});
