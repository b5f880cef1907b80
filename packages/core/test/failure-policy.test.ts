// The failure policy case by case: what each thrown value leads to (log, Event, metrics, retry or not).
import { describe, expect, it } from '@jest/globals';
import { PermanentError, TemporaryError } from '../src/errors.js';
import { type FailedWork, type FailureInput, failurePolicy } from '../src/internal/controller/failure-policy.js';
import { ChildObjectError } from '../src/internal/run/apply-child.js';
import { FinalizerError } from '../src/internal/run/finalizers.js';
import {
  InvalidStatusError,
  ObjectGoneError,
  StatusSubresourceMissingError,
  StatusTooLargeError,
  StatusWriteError,
} from '../src/internal/run/status-errors.js';
import { HandlerTimeoutError } from '../src/internal/run/supervise.js';
import { ThrownValueError } from '../src/internal/run/thrown.js';
import { KubeApiError } from '../src/kube/errors.js';

const call: FailedWork = {
  kind: 'call',
  handler: '@OnAdded',
  what: '@OnAdded handler for ns/a',
  removeFinalizer: false,
};
const input = (thrown: unknown, more: Partial<FailureInput> = {}): FailureInput => ({
  thrown,
  work: call,
  key: 'ns/a',
  attempt: 1,
  backoffMs: 1000,
  shuttingDown: false,
  ...more,
});
const apiError = (status: number, message?: string) =>
  new KubeApiError(status, 'PATCH', '/apis/x/v1/namespaces/ns/ws/a/status', undefined, message, { name: 'a' });

describe('failurePolicy', () => {
  it('retries an ordinary error after the backoff, with a HandlerFailed Warning and an error log', () => {
    const decision = failurePolicy(input(new Error('boom'), { attempt: 3, backoffMs: 4000 }));
    expect(decision.retry).toEqual({ delayMs: 4000 });
    expect(decision.result).toBe('error');
    expect(decision.handlerOutcome).toBe('error');
    expect(decision.event?.reason).toBe('HandlerFailed');
    expect(decision.log.level).toBe('error');
    expect(decision.log.fields).toMatchObject({ object: 'ns/a', handler: '@OnAdded', attempt: 3, retryInSeconds: 4 });
    expect(decision.log.message).toContain('retrying in 4.0 s');
  });

  it('counts `throw undefined` (and any other value) as a failure, retried', () => {
    for (const thrown of [undefined, null, 0, '', false]) {
      const decision = failurePolicy(input(thrown));
      expect(decision.retry).toEqual({ delayMs: 1000 });
      expect(decision.handlerOutcome).toBe('error');
      expect(decision.result).toBe('error');
    }
  });

  it('shows a thrown non-Error as its JSON, bounded', () => {
    expect(failurePolicy(input({ code: 42 })).event?.message).toContain('{"code":42}');
    expect(failurePolicy(input(new ThrownValueError({ code: 42 }))).event?.message).toContain('{"code":42}');
    const huge = failurePolicy(input({ data: 'x'.repeat(10_000) })).event!.message;
    expect(huge.length).toBeLessThan(500);
    expect(huge).toContain('characters)');
    expect(failurePolicy(input(undefined)).event?.message).toContain('undefined');
  });

  it("waits a TemporaryError's own delay, and never longer than a run already held for the object", () => {
    expect(failurePolicy(input(new TemporaryError('later', 30))).retry).toEqual({ delayMs: 30_000 });
    expect(failurePolicy(input(new Error('x'), { backoffMs: 8000, heldMs: 2000 })).retry).toEqual({ delayMs: 2000 });
  });

  it('gives up on a PermanentError: terminal, reported with a PermanentFailure Warning every time', () => {
    const decision = failurePolicy(input(new PermanentError('no')));
    expect(decision.retry).toBeUndefined();
    expect(decision.result).toBe('terminal_error');
    expect(decision.handlerOutcome).toBe('permanent');
    expect(decision.event?.reason).toBe('PermanentFailure');
    expect(decision.reportOnce).toBeUndefined();
    expect(decision.releaseFinalizer).toBeUndefined();
  });

  it('releases the finalizer when @OnDeleted gives up', () => {
    const work: FailedWork = { ...call, handler: '@OnDeleted', removeFinalizer: true };
    expect(failurePolicy(input(new PermanentError('no'), { work })).releaseFinalizer).toBe(true);
  });

  it('gives up on a child that can never be applied, reported once per generation', () => {
    const decision = failurePolicy(
      input(new ChildObjectError("this.apply(ConfigMap c): namespace other is not its owner's")),
    );
    expect(decision.retry).toBeUndefined();
    expect(decision.result).toBe('terminal_error');
    expect(decision.handlerOutcome).toBe('permanent');
    expect(decision.event?.reason).toBe('InvalidChild');
    expect(decision.reportOnce).toBe('per-generation');
    expect(decision.log.fields).toMatchObject({ permanent: true });
  });

  it('gives up on an invalid or too large status (the handler succeeded), once per generation', () => {
    const invalid = failurePolicy(input(new InvalidStatusError('ns/a', apiError(422))));
    expect(invalid).toMatchObject({ result: 'terminal_error', handlerOutcome: 'success', statusFailure: 'invalid' });
    expect(invalid.reportOnce).toBe('per-generation');
    const large = failurePolicy(
      input(new StatusTooLargeError('ns/a', 2_000_000, 1_572_864, apiError(500, 'etcdserver: request is too large'))),
    );
    expect(large).toMatchObject({ result: 'terminal_error', handlerOutcome: 'success', statusFailure: 'too_large' });
    expect(large.retry).toBeUndefined();
    expect(large.event?.reason).toBe('StatusTooLarge');
    expect(large.log.fields).toMatchObject({ bytes: 2_000_000, limitBytes: 1_572_864 });
  });

  it('logs a missing status subresource once per resource, and records the Event on each object', () => {
    const decision = failurePolicy(input(new StatusSubresourceMissingError('ws.x')));
    expect(decision).toMatchObject({
      reportOnce: 'log-per-resource',
      result: 'terminal_error',
      statusFailure: 'subresource_missing',
    });
    expect(decision.event?.reason).toBe('StatusNotWritten');
  });

  it('takes an object deleted during its run as done', () => {
    const decision = failurePolicy(input(new ObjectGoneError('ns/a')));
    expect(decision).toMatchObject({ result: 'success', statusFailure: 'gone', handlerOutcome: 'success' });
    expect(decision.log.level).toBe('info');
    expect(decision.event).toBeUndefined();
    expect(decision.retry).toBeUndefined();
  });

  it('retries a status write that kept failing transiently, counted as such', () => {
    const thrown = new StatusWriteError('writing failed', { cause: apiError(503) }, { state: 'done' });
    expect(failurePolicy(input(thrown))).toMatchObject({
      statusFailure: 'transient',
      handlerOutcome: 'success',
      retry: { delayMs: 1000 },
    });
  });

  it('retries a timeout with a HandlerTimeout Warning and counts it as one', () => {
    const decision = failurePolicy(input(new HandlerTimeoutError('@OnAdded handler for ns/a', 5)));
    expect(decision).toMatchObject({ timedOut: true, handlerOutcome: 'timeout', retry: { delayMs: 1000 } });
    expect(decision.event?.reason).toBe('HandlerTimeout');
    expect(decision.log.fields.stack).toBeUndefined();
  });

  it('retries a finalizer update with a FinalizerFailed Warning, no handler outcome', () => {
    const work: FailedWork = { kind: 'step', what: 'adding the finalizer of ns/a' };
    const error = new FinalizerError('add', 'x/f', 'ws.x', 'ns/a', apiError(403));
    const decision = failurePolicy(input(error, { work }));
    expect(decision).toMatchObject({ handlerOutcome: undefined, retry: { delayMs: 1000 } });
    expect(decision.event?.reason).toBe('FinalizerFailed');
  });

  it('only logs a failure during shutdown, as a warning, without retry or Event', () => {
    const decision = failurePolicy(input(new Error('aborted'), { shuttingDown: true }));
    expect(decision.log.level).toBe('warn');
    expect(decision.retry).toBeUndefined();
    expect(decision.event).toBeUndefined();
  });

  it('logs a failure before any run, without retry', () => {
    const decision = failurePolicy(input(new Error('bad'), { work: { kind: 'none' } }));
    expect(decision).toMatchObject({ result: 'error', handlerOutcome: undefined });
    expect(decision.retry).toBeUndefined();
  });
});
