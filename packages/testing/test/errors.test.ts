// Every error @kubeop/testing exports has a stable code: the operator kit's extend core's KubeopError, the control
// plane's (which work without @kubeop/core) TestingError.
import { describe, expect, it } from '@jest/globals';
import { KubeopError } from '@kubeop/core';
import * as testing from '@kubeop/testing';
import * as kit from '@kubeop/testing/operator';

/** One instance of every error class the two entry points export. */
const instances: Array<testing.TestingError | KubeopError> = [
  new testing.ProcessExitedError('etcd', { code: 1, signal: null }, '/nonexistent/etcd.log'),
  new testing.TestEnvironmentNotConfiguredError(),
  new testing.EtcdRequestError('/v3/kv/range', 500, 'boom'),
  new testing.StartTimeoutError('kube-apiserver', 1000, 'connection refused', [], '/nonexistent/apiserver.log'),
  new testing.MissingBinaryError('/nowhere', ['etcd']),
  new testing.GoToolchainError(undefined),
  new testing.BinaryBuildError('etcd', 'go build', 1, '/nonexistent/build.log', ''),
  new testing.ControlPlaneStateError('etcd is not running'),
  new testing.EventuallyTimeoutError('timed out after 10 ms waiting for x'),
  new testing.TestingUsageError('--start-timeout must be a positive integer, not x'),
  new kit.KitUsageError('operatorSuite(): the environment is ready from the first test on'),
  new kit.RoundTripError('round trip v1 → v2 → v1 failed'),
  new kit.ObjectRequestError(
    'create widgets.example.com w1 in namespace t',
    { status: 422, reason: 'Invalid', serverMessage: 'spec.size: Invalid value' },
    { cause: undefined },
  ),
];

const isErrorClass = (value: unknown): value is abstract new (...args: never[]) => Error =>
  typeof value === 'function' && value.prototype instanceof Error;

describe('the errors of @kubeop/testing', () => {
  it('extend KubeopError (operator kit) or TestingError (control plane), named after their class', () => {
    for (const error of instances) {
      const base = error instanceof KubeopError ? KubeopError : testing.TestingError;
      expect([error.name, error instanceof base]).toEqual([error.constructor.name, true]);
    }
    expect(instances.slice(-3).every((error) => error instanceof KubeopError)).toBe(true);
  });

  it('give every class its own upper-case code', () => {
    const codes = instances.map((error) => error.code);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z_]+$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(instances.at(-1)).toMatchObject({ code: 'OBJECT_REQUEST_FAILED', status: 422 });
  });

  it('cover every error class both entry points export', () => {
    const covered = new Set<unknown>(instances.map((error) => error.constructor));
    const exported = [...Object.values(testing), ...Object.values(kit)].filter(
      (value) => isErrorClass(value) && value !== testing.TestingError,
    );
    expect(exported.length).toBeGreaterThan(6);
    for (const errorClass of exported)
      expect([(errorClass as { name: string }).name, covered.has(errorClass)]).toEqual([
        (errorClass as { name: string }).name,
        true,
      ]);
  });
});
