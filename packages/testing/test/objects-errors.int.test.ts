// A refused request of the kit's object helpers says what the API server said: its code, reason and message.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ResourceHandler } from '@kubeop/core';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { installCrd, ObjectRequestError, objects } from '@kubeop/testing/operator';

@CustomResource({
  group: `t${randomBytes(3).toString('hex')}.kit.kubeop.dev`,
  version: 'v1',
  plural: 'gauges',
  kind: 'Gauge',
  schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
})
class GaugeHandler extends ResourceHandler<{ size?: number }> {
  @OnAdded() async added(): Promise<void> {}
}

let env: TestEnvironment;
beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, GaugeHandler);
});

async function failure(promise: Promise<unknown>): Promise<ObjectRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ObjectRequestError);
  return error as ObjectRequestError;
}

describe('objects(): a refused request', () => {
  it('shows the Status of an invalid create, not "Unknown API Status Code!"', async () => {
    const gauges = objects(env.kubeConfig, GaugeHandler, env.namespace);
    const error = await failure(gauges.create('too-small', { size: 0 }));
    expect(error).toMatchObject({ code: 'OBJECT_REQUEST_FAILED', status: 422, reason: 'Invalid' });
    expect(error.serverMessage).toContain('spec.size: Invalid value: 0');
    expect(error.message).toMatch(/^create gauges\.\S+ too-small in namespace \S+: 422 Invalid: .*spec\.size/);
    expect(error.message).not.toContain('Unknown API Status Code');
  });

  it('names an existing object on a second create, and a missing one on a patch', async () => {
    const gauges = objects(env.kubeConfig, GaugeHandler, env.namespace);
    await gauges.create('twice', { size: 1 });
    expect(await failure(gauges.create('twice', { size: 1 }))).toMatchObject({
      status: 409,
      reason: 'AlreadyExists',
      serverMessage: expect.stringContaining('"twice" already exists'),
    });
    expect(await failure(gauges.patchSpec('nowhere', { size: 2 }))).toMatchObject({ status: 404, reason: 'NotFound' });
    expect(await gauges.get('nowhere')).toBeUndefined();
  });
});
