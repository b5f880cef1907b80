// How an attempt's end counts: a handler run's result, outcome and requeue; the failed work the policy is told.
import { describe, expect, it } from '@jest/globals';
import { failedWork, successOutcome } from '../src/internal/controller/attempt-outcome.js';
import { type Action, NOTHING } from '../src/internal/dispatch/dispatch.js';
import type { HandlerRef } from '../src/internal/dispatch/handlers.js';
import type { KubeObject } from '../src/kube/objects.js';

const object: KubeObject = {
  apiVersion: 'example.kubeop.dev/v1',
  kind: 'Thing',
  metadata: { name: 'a', namespace: 'ns' },
};
const call = (handler: HandlerRef, removeFinalizer = false): Action => ({
  kind: 'call',
  handler,
  object,
  addFinalizer: false,
  removeFinalizer,
  reasons: [],
});
const name = (handler: HandlerRef) => `@On(${handler})`;

describe('successOutcome', () => {
  it('counts a run without requeueAfter as a success, and queues nothing', () => {
    expect(successOutcome('added', undefined)).toEqual({ result: 'success', handlerOutcome: 'success' });
  });

  it('counts requeueAfter 0 as `requeue` (run again at once) and queues the handler again with no delay', () => {
    expect(successOutcome('modified', 0)).toEqual({
      result: 'requeue',
      handlerOutcome: 'requeue',
      requeue: { intent: { ...NOTHING, retry: 'modified', reasons: [{ type: 'requeue' }] }, delayMs: 0 },
    });
  });

  it('counts a positive requeueAfter as `requeue_after` and queues the handler after that many seconds', () => {
    const outcome = successOutcome('reconcile', 2.5);
    expect(outcome.result).toBe('requeue_after');
    expect(outcome.handlerOutcome).toBe('requeue');
    expect(outcome.requeue).toEqual({
      intent: { ...NOTHING, retry: 'reconcile', reasons: [{ type: 'requeue' }] },
      delayMs: 2500,
    });
  });

  it('queues a timer that asked for a requeue as that timer', () => {
    expect(successOutcome('timer:1', 30).requeue?.intent.retry).toBe('timer:1');
  });

  it('counts a requeue asked by @OnDeleted in the handler runs but queues nothing: the reconcile is a success', () => {
    expect(successOutcome('deleted', 10)).toEqual({ result: 'success', handlerOutcome: 'requeue' });
  });
});

describe('failedWork', () => {
  it('is `none` when no run started (the action was a skip)', () => {
    expect(failedWork({ kind: 'skip', reason: 'unchanged' }, '', name)).toEqual({ kind: 'none' });
  });

  it('names the handler of a call and carries whether the finalizer was to be removed with it', () => {
    expect(failedWork(call('deleted', true), '@OnDeleted handler for ns/a', name)).toEqual({
      kind: 'call',
      handler: '@On(deleted)',
      what: '@OnDeleted handler for ns/a',
      removeFinalizer: true,
    });
  });

  it('is a `step` for finalizer work and for a status sent again', () => {
    expect(failedWork({ kind: 'addFinalizer', object }, 'adding the finalizer of ns/a', name)).toEqual({
      kind: 'step',
      what: 'adding the finalizer of ns/a',
    });
    expect(failedWork({ kind: 'status', patch: { state: 'x' }, object }, 'status', name)).toEqual({
      kind: 'step',
      what: 'status',
    });
  });
});
