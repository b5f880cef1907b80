// Every kubeop error extends KubeopError and has its own stable code, so callers can switch on codes, not messages.
import { describe, expect, it } from '@jest/globals';
import * as core from '@kubeop/core';
import * as tooling from '@kubeop/core/tooling';
import { FinalizerError } from '../src/internal/run/finalizers.js';
import { LeadershipLostError } from '../src/internal/leader/lease-elector.js';
import { ObjectGoneError } from '../src/internal/run/status-errors.js';
import { BindError } from '../src/internal/serve/http-server.js';
import { ClientClosedError } from '../src/kube/rate-limiter.js';

const apiError = new core.KubeApiError(422, 'PATCH', '/apis/x/v1/things/a/status', 'Invalid', 'bad', {
  causes: [{ field: 'status.replicas' }],
});

/** One instance of every error class kubeop has, public or not. */
const instances: core.KubeopError[] = [
  new core.TemporaryError('later', 3),
  new core.PermanentError('never'),
  new core.UsageError('--flag: bad'),
  new core.InvalidHandlerError('two @OnAdded'),
  new core.ChildObjectError('no metadata.name'),
  new core.StatusWriteError('failed'),
  new core.InvalidStatusError('ns/a', apiError),
  new core.StatusSubresourceMissingError('things.example.com'),
  new ObjectGoneError('ns/a'),
  new core.HandlerTimeoutError('@OnAdded handler for ns/a', 5),
  new core.CrdNotInstalledError('things.example.com', 'v1'),
  new tooling.CrdNotEstablishedError('things.example.com', true, 'names not accepted'),
  new tooling.GeneratedCrdError('crds/things.example.com.json', 'not-json', 'not JSON'),
  new tooling.StructuralSchemaError('things.example.com', ['.spec: no type']),
  new core.KubeConfigError('no kubeconfig'),
  apiError,
  new core.NotKubernetesError('https://localhost:1', new core.KubeApiError(404, 'GET', '/api', undefined, undefined)),
  new core.KubeConnectionError('GET', 'https://localhost:1/api', 'ECONNREFUSED'),
  new core.KubeTlsError('GET', 'https://localhost:1/api', 'SELF_SIGNED_CERT_IN_CHAIN'),
  new core.KubeCredentialError('exec plugin failed'),
  new core.UnknownKindError('example.com/v1', 'Thing'),
  new core.ResourceNotServedError('things.example.com', 'not served'),
  new core.NamespaceNotFoundError('--namespace', 'missing'),
  new core.Denied('spec.size must be even', { field: 'spec.size' }),
  new LeadershipLostError('taken', 'lease taken'),
  new FinalizerError('add', 'example.com/cleanup', 'things.example.com', 'ns/a', apiError),
  new BindError('--metrics-bind-address', ':x', 'not a port'),
  new ClientClosedError('GET: the API client is closed'),
  new tooling.ConversionError('@ConvertFrom(v1) fromV1 threw on ns/a'),
  new tooling.ConversionReviewError('not a ConversionReview'),
];

describe('KubeopError', () => {
  it('is the base of every error, each with its class name as name', () => {
    for (const error of instances) {
      expect(error).toBeInstanceOf(core.KubeopError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('gives every class its own upper-case code', () => {
    const codes = instances.map((error) => error.code);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z_]+$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('keeps codes stable (they are API: renaming one is a breaking change)', () => {
    const byClass = Object.fromEntries(instances.map((error) => [error.name, error.code]));
    expect(byClass).toMatchObject({
      ResourceNotServedError: 'RESOURCE_NOT_SERVED',
      StatusWriteError: 'STATUS_WRITE_FAILED',
      InvalidStatusError: 'STATUS_INVALID',
      KubeConnectionError: 'KUBE_UNREACHABLE',
      KubeTlsError: 'KUBE_TLS_UNVERIFIED',
      LeadershipLostError: 'LEADERSHIP_LOST',
    });
  });

  it('covers every error class both entry points export', () => {
    const covered = new Set<unknown>(instances.map((error) => error.constructor));
    const values: unknown[] = [...Object.values(core), ...Object.values(tooling)];
    const exported = values.filter(
      (value): value is abstract new (...args: never[]) => Error =>
        typeof value === 'function' && value.prototype instanceof Error && value !== core.KubeopError,
    );
    expect(exported.length).toBeGreaterThan(15);
    for (const errorClass of exported)
      expect([errorClass.name, covered.has(errorClass)]).toEqual([errorClass.name, true]);
  });

  it('keeps the socket code of a connection error apart from its kubeop code', () => {
    const error = new core.KubeConnectionError('GET', 'https://localhost:1/api', 'ECONNREFUSED');
    expect([error.code, error.socketCode]).toEqual(['KUBE_UNREACHABLE', 'ECONNREFUSED']);
  });
});
