// Why a status write failed, told apart by class: the metric's failure class, and a write refused for its size.
import { describe, expect, it } from '@jest/globals';
import {
  InvalidStatusError,
  isTooLarge,
  limitNamed,
  ObjectGoneError,
  StatusSubresourceMissingError,
  StatusTooLargeError,
  StatusWriteError,
  statusFailureClass,
} from '../src/internal/run/status-errors.js';
import { KubeApiError } from '../src/kube/errors.js';

const W = 'widgets.it.kubeop.dev';
const apiError = (code: number, message?: string) =>
  new KubeApiError(code, 'PATCH', '/apis/it.kubeop.dev/v1/widgets/a/status', undefined, message, { name: 'a' });

describe('statusFailureClass', () => {
  it('classifies status write failures', () => {
    expect(statusFailureClass(new InvalidStatusError('ns/a', apiError(422)))).toBe('invalid');
    expect(statusFailureClass(new StatusSubresourceMissingError(W))).toBe('subresource_missing');
    expect(statusFailureClass(new ObjectGoneError('ns/a'))).toBe('gone');
    expect(statusFailureClass(new StatusWriteError('x', { cause: apiError(503) }))).toBe('transient');
    expect(statusFailureClass(new Error('?'))).toBe('other');
    expect(statusFailureClass(new StatusTooLargeError('ns/a', 2_000_000, 1_572_864, apiError(413)))).toBe('too_large');
  });
});

describe('a write refused for its size', () => {
  it("is told by a 413, etcd's 500, or a 422 about size, and not by other 500s and 422s", () => {
    expect(isTooLarge(apiError(413, 'Request entity too large: limit is 3145728'))).toBe(true);
    expect(isTooLarge(apiError(500, 'etcdserver: request is too large'))).toBe(true);
    expect(isTooLarge(apiError(422, 'Too long: must have at most 1572864 bytes'))).toBe(true);
    expect(isTooLarge(apiError(500, 'etcdserver: leader changed'))).toBe(false);
    expect(isTooLarge(apiError(422, 'status.replicas: Invalid value'))).toBe(false);
  });

  it('names the limit the server gave, if any', () => {
    expect(limitNamed(apiError(413, 'Request entity too large: limit is 3145728'))).toBe(3145728);
    expect(limitNamed(apiError(422, 'Too long: must have at most 1572864 bytes'))).toBe(1572864);
    expect(limitNamed(apiError(500, 'etcdserver: request is too large'))).toBeUndefined();
  });

  it('says the size, the limit and what to do', () => {
    const error = new StatusTooLargeError(
      'ns/a',
      2_000_000,
      1_572_864,
      apiError(500, 'etcdserver: request is too large'),
    );
    expect(error).toMatchObject({ bytes: 2_000_000, limitBytes: 1_572_864, objectKey: 'ns/a' });
    expect(error.message).toContain('2000000 bytes');
    expect(error.message).toContain('1572864 bytes');
  });
});
