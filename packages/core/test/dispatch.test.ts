import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted, OnModified, OnReconcile, OnTimer } from '@kubeop/decorators';
import { describeHandlerClass } from '@kubeop/core/tooling';
import {
  type Action,
  decide,
  HANDLED_GENERATION_ANNOTATION,
  type Intent,
  intentFor,
  mergeIntents,
  OWED_RUN_ANNOTATION,
  retryIntent,
} from '../src/internal/dispatch/dispatch.js';
import type { KubeObject } from '../src/kube/objects.js';
import { MAX_REASONS, type RunReason } from '../src/reasons.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
class Full {
  @OnAdded() a(): void {}
  @OnModified() m(): void {}
  @OnDeleted() d(): void {}
}
@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
class AddOnly {
  @OnAdded() a(): void {}
}
const full = describeHandlerClass(Full);
const addOnly = describeHandlerClass(AddOnly);
const F = 'example.kubeop.dev/finalizer';

function obj(meta: Partial<KubeObject['metadata']> = {}, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'example.kubeop.dev/v1',
    kind: 'Thing',
    metadata: { name: 'x', namespace: 'ns', uid: 'u1', generation: 1, ...meta },
    status,
  };
}
const intent = (i: Partial<Intent>): Intent => ({ added: false, modified: false, sync: false, ...i });

describe('intentFor', () => {
  it('turns ADDED into an added intent and DELETED into a tombstone', () => {
    expect(intentFor({ type: 'ADDED', object: obj() }, full)).toEqual(
      intent({ added: true, reasons: [{ type: 'added' }] }),
    );
    expect(intentFor({ type: 'ADDED', object: obj(), initial: true }, full)).toEqual(
      intent({ added: true, reasons: [{ type: 'startup' }] }),
    );
    const gone = obj();
    expect(intentFor({ type: 'DELETED', object: gone }, full)).toEqual(
      intent({ deleted: gone, reasons: [{ type: 'deleted' }] }),
    );
  });

  it('ignores a MODIFIED that did not change the generation (e.g. a status write)', () => {
    const before = obj({ finalizers: [F] });
    const after = obj({ finalizers: [F] }, { state: 'done' });
    expect(intentFor({ type: 'MODIFIED', object: after, previous: before }, full)).toBeUndefined();
  });

  it('asks for @OnModified when the generation changed', () => {
    const event = {
      type: 'MODIFIED' as const,
      object: obj({ generation: 2, finalizers: [F] }),
      previous: obj({ finalizers: [F] }),
    };
    expect(intentFor(event, full)).toEqual(
      intent({ modified: true, reasons: [{ type: 'spec-changed', oldGeneration: 1, newGeneration: 2 }] }),
    );
  });

  it('asks for finalizer work when a deletion starts or our finalizer is missing', () => {
    const deleting = obj({ generation: 2, deletionTimestamp: 'now', finalizers: [F] });
    expect(intentFor({ type: 'MODIFIED', object: deleting, previous: obj({ finalizers: [F] }) }, full)).toEqual(
      intent({ sync: true, reasons: [{ type: 'deleted' }] }),
    );
    expect(intentFor({ type: 'MODIFIED', object: obj({ resourceVersion: '2' }), previous: obj() }, full)).toEqual(
      intent({ sync: true, reasons: [{ type: 'changed' }] }),
    );
  });
});

describe('intentFor on first sight', () => {
  it('adds a modification when the spec moved past the last handled generation', () => {
    const handledAt1 = obj({ generation: 3, annotations: { 'kubeop.dev/handled-generation': '1' } });
    expect(intentFor({ type: 'ADDED', object: handledAt1 }, full)).toMatchObject(
      intent({ added: true, modified: true }),
    );
    const upToDate = obj({ generation: 3, annotations: { 'kubeop.dev/handled-generation': '3' } });
    expect(intentFor({ type: 'ADDED', object: upToDate }, full)).toMatchObject(intent({ added: true }));
    expect(intentFor({ type: 'ADDED', object: handledAt1 }, addOnly)).toMatchObject(intent({ added: true }));
  });

  it('calls @OnModified for such an object although its status.state is set', () => {
    const live = obj({ generation: 3, finalizers: [F] }, { state: 'created' });
    expect(decide(intent({ added: true, modified: true }), live, full, new Set()).action).toMatchObject({
      kind: 'call',
      handler: 'modified',
    });
  });
});

describe('mergeIntents', () => {
  it('collapses flags and keeps the newest tombstone', () => {
    const t1 = obj({ uid: 'a' });
    const t2 = obj({ uid: 'b' });
    expect(mergeIntents(intent({ added: true, deleted: t1 }), intent({ modified: true, deleted: t2 }))).toEqual(
      intent({ added: true, modified: true, deleted: t2 }),
    );
  });

  it('keeps an owed @OnAdded over an owed @OnModified', () => {
    expect(mergeIntents(intent({ retry: 'added' }), intent({ retry: 'modified' })).retry).toBe('added');
    expect(mergeIntents(intent({ retry: 'modified' }), intent({ modified: true })).retry).toBe('modified');
  });
});

describe('decide', () => {
  const none = new Set<string>();

  it('calls @OnAdded for an object without status.state, adding the finalizer', () => {
    const live = obj();
    expect(decide(intent({ added: true }), live, full, none).action).toEqual({
      kind: 'call',
      handler: 'added',
      object: live,
      addFinalizer: true,
      removeFinalizer: false,
      reasons: [],
    });
  });

  it('skips @OnAdded when status.state is set (the state rule)', () => {
    const live = obj({}, { state: 'created' });
    expect(decide(intent({ added: true }), live, addOnly, none).action).toEqual({
      kind: 'skip',
      reason: 'status.state is "created"',
    });
    expect(decide(intent({ added: true }), live, full, none).action).toEqual({ kind: 'addFinalizer', object: live });
  });

  it('calls @OnModified', () => {
    const live = obj({ finalizers: [F] });
    expect(decide(intent({ modified: true }), live, full, none).action).toMatchObject({
      kind: 'call',
      handler: 'modified',
      addFinalizer: false,
    });
  });

  it('runs @OnDeleted then removes the finalizer of an object being deleted', () => {
    const live = obj({ deletionTimestamp: 't', finalizers: [F] });
    expect(decide(intent({ sync: true }), live, full, none).action).toMatchObject({
      kind: 'call',
      handler: 'deleted',
      removeFinalizer: true,
    });
    expect(decide(intent({ sync: true }), live, full, new Set(['u1'])).action).toEqual({
      kind: 'removeFinalizer',
      object: live,
    });
  });

  it('calls @OnDeleted for a tombstone once', () => {
    const gone = obj();
    expect(decide(intent({ deleted: gone }), undefined, full, none).action).toMatchObject({
      kind: 'call',
      handler: 'deleted',
      object: gone,
    });
    expect(decide(intent({ deleted: gone }), undefined, full, new Set(['u1'])).action).toEqual({
      kind: 'skip',
      reason: 'deletion already handled',
    });
  });

  it('calls an owed (retried or requeued) run whatever status.state its failed attempt wrote', () => {
    const live = obj({ finalizers: [F] }, { state: 'provisioning' });
    expect(decide(intent({ added: true, retry: 'added' }), live, addOnly, none).action).toMatchObject({
      kind: 'call',
      handler: 'added',
    });
    expect(decide(intent({ retry: 'modified' }), live, full, none).action).toMatchObject({
      kind: 'call',
      handler: 'modified',
    });
    // First sight still follows the state rule.
    expect(decide(intent({ added: true }), live, addOnly, none).action).toMatchObject({ kind: 'skip' });
  });

  it('lets a deletion take precedence over an owed run', () => {
    const live = obj({ deletionTimestamp: 't', finalizers: [F] }, { state: 'provisioning' });
    expect(decide(intent({ sync: true, retry: 'added' }), live, full, none).action).toMatchObject({
      kind: 'call',
      handler: 'deleted',
    });
  });

  it('handles the deletion of an old object before the new object of the same name', () => {
    const old = obj({ uid: 'old' });
    const fresh = obj({ uid: 'new' });
    const decision = decide(intent({ deleted: old, added: true }), fresh, full, none);
    expect(decision.action).toMatchObject({ kind: 'call', handler: 'deleted', object: old });
    expect(decision.rest).toEqual(intent({ added: true }));
  });
});

describe('decide with @OnReconcile, @Owns, timers and resyncs', () => {
  @CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
  class Reconciling {
    @OnReconcile() reconcile(): void {}
    @OnTimer({ interval: 5 }) check(): void {}
  }
  const reconciling = describeHandlerClass(Reconciling);
  const none = new Set<string>();
  const tick: RunReason = { type: 'timer', method: 'check' };

  it('runs @OnReconcile for every reason, ignoring the state rule, with all reasons', () => {
    const live = obj({}, { state: 'done' });
    const reasons: RunReason[] = [{ type: 'startup' }];
    expect(decide(intent({ added: true, reasons }), live, reconciling, none).action).toMatchObject({
      kind: 'call',
      handler: 'reconcile',
      reasons,
    });
    const owned: RunReason = {
      type: 'owned-changed',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'c',
      namespace: 'ns',
      event: 'deleted',
    };
    expect(decide(intent({ nudged: true, reasons: [owned] }), live, reconciling, none).action).toMatchObject({
      handler: 'reconcile',
      reasons: [owned],
    });
  });

  it('runs @OnModified for a nudge (owned object, resync) when there is no @OnReconcile, whatever the state', () => {
    const live = obj({ finalizers: [F] }, { state: 'done' });
    expect(decide(intent({ nudged: true, reasons: [{ type: 'resync' }] }), live, full, none).action).toMatchObject({
      handler: 'modified',
    });
    expect(decide(intent({ nudged: true }), live, addOnly, none).action).toMatchObject({ kind: 'skip' });
  });

  it('runs a due timer after the main work, each with its own reasons', () => {
    const live = obj();
    const decision = decide(
      intent({ modified: true, timers: [0], reasons: [{ type: 'changed' }, tick] }),
      live,
      reconciling,
      none,
    );
    expect(decision.action).toMatchObject({ handler: 'reconcile', reasons: [{ type: 'changed' }] });
    expect(decision.rest).toEqual(intent({ timers: [0], reasons: [tick] }));
    expect(decide(decision.rest!, live, reconciling, none).action).toMatchObject({
      handler: 'timer:0',
      reasons: [tick],
    });
  });

  it('retries a failed timer before the rest, which stays to do', () => {
    const retry: RunReason = { type: 'retry', handler: '@OnTimer(check)', attempt: 2 };
    const decision = decide(
      intent({ retry: 'timer:0', timers: [0], nudged: true, reasons: [retry, { type: 'resync' }] }),
      obj(),
      reconciling,
      none,
    );
    expect(decision.action).toMatchObject({ handler: 'timer:0', reasons: [retry] });
    expect(decision.rest).toMatchObject({ nudged: true, retry: undefined, timers: [], reasons: [{ type: 'resync' }] });
  });

  it('calls no timer for an object being deleted', () => {
    const deleting = obj({ deletionTimestamp: 't' });
    expect(decide(intent({ timers: [0] }), deleting, reconciling, none).action).toEqual({
      kind: 'skip',
      reason: 'being deleted by others',
    });
  });
});

describe('mergeIntents and reasons', () => {
  it('keeps one entry per cause, the latest, and spans spec changes', () => {
    const a = intent({ modified: true, reasons: [{ type: 'spec-changed', oldGeneration: 1, newGeneration: 2 }] });
    const owned = (event: 'added' | 'modified' | 'deleted'): RunReason => ({
      type: 'owned-changed',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'c',
      event,
    });
    const b = intent({ nudged: true, reasons: [owned('modified')] });
    const c = intent({
      modified: true,
      nudged: true,
      reasons: [{ type: 'spec-changed', oldGeneration: 2, newGeneration: 3 }, owned('deleted')],
    });
    expect(mergeIntents(mergeIntents(a, b), c).reasons).toEqual([
      { type: 'spec-changed', oldGeneration: 1, newGeneration: 3 },
      owned('deleted'),
    ]);
  });

  it('bounds the reasons kept per object', () => {
    let merged = intent({});
    for (let i = 0; i < 100; i++) {
      merged = mergeIntents(
        merged,
        intent({
          nudged: true,
          reasons: [{ type: 'owned-changed', apiVersion: 'v1', kind: 'ConfigMap', name: `c${i}`, event: 'added' }],
        }),
      );
    }
    expect(merged.reasons).toHaveLength(MAX_REASONS);
    expect(merged.reasons!.at(-1)).toMatchObject({ name: 'c99' });
  });
});

describe('a run owed across a restart', () => {
  it('is read from the object on first sight, and runs @OnAdded whatever status.state says', () => {
    const owed = obj({ annotations: { [OWED_RUN_ANNOTATION]: 'added' }, finalizers: [F] }, { state: 'provisioning' });
    const first = intentFor({ type: 'ADDED', object: owed, initial: true }, full)!;
    expect(first).toMatchObject({ added: true, retry: 'added' });
    expect(first.reasons).toEqual([{ type: 'startup' }, { type: 'retry', handler: '@OnAdded', attempt: 2 }]);
    expect(decide(first, owed, full, new Set()).action).toMatchObject({ kind: 'call', handler: 'added' });
  });

  it('is ignored when the annotation names no handler of the class', () => {
    for (const value of ['deleted', 'reconcile', 'timer:3', 'nonsense']) {
      const object = obj({ annotations: { [OWED_RUN_ANNOTATION]: value } });
      expect(intentFor({ type: 'ADDED', object, initial: true }, full)?.retry).toBeUndefined();
    }
  });
});

describe("kubeop's own bookkeeping on an object", () => {
  @CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
  class EveryChange {
    @OnModified({ everyChange: true }) m(): void {}
  }
  const everyChange = describeHandlerClass(EveryChange);

  it('is no news, even to an everyChange handler', () => {
    const before = obj();
    for (const annotation of [OWED_RUN_ANNOTATION, HANDLED_GENERATION_ANNOTATION]) {
      const after = obj({ resourceVersion: '9', annotations: { [annotation]: '1' } });
      expect(intentFor({ type: 'MODIFIED', object: after, previous: before }, everyChange)).toBeUndefined();
    }
  });

  it('does not hide another change made with it', () => {
    const before = obj();
    const after = obj({ labels: { x: 'y' }, annotations: { [OWED_RUN_ANNOTATION]: 'added' } });
    expect(intentFor({ type: 'MODIFIED', object: after, previous: before }, everyChange)).toMatchObject({
      modified: true,
    });
  });
});

describe('retryIntent', () => {
  const live = obj();
  const failed = (handler: 'added' | 'deleted', reasons: RunReason[]): Action => ({
    kind: 'call',
    handler,
    object: live,
    addFinalizer: false,
    removeFinalizer: false,
    reasons,
  });
  const retry = { type: 'retry' as const, handler: '@OnAdded', attempt: 2 };

  it('owes the failed handler again, with the news it did not see and the retry as reasons', () => {
    const seen: RunReason = { type: 'added' };
    const news: RunReason = { type: 'resync' };
    const pending = intent({ added: true, nudged: true, reasons: [seen, news] });
    expect(retryIntent(pending, failed('added', [seen]), undefined, retry)).toEqual(
      intent({ added: true, nudged: true, retry: 'added', reasons: [news, retry] }),
    );
  });

  it('owes only the status when the handler succeeded and its status could not be written', () => {
    const pending = intent({ added: true, reasons: [{ type: 'added' }] });
    expect(retryIntent(pending, failed('added', []), { state: 'done' }, retry)).toEqual(
      intent({ status: { state: 'done' } }),
    );
    const resend = { kind: 'status' as const, patch: { state: 'done', phase: 'A' } };
    expect(retryIntent(intent({}), resend, { phase: 'A' }, retry)).toEqual(intent({ status: { phase: 'A' } }));
    expect(retryIntent(intent({}), resend, undefined, retry)).toEqual(intent({ status: resend.patch }));
  });

  it('keeps a failed deletion or finalizer step as it was', () => {
    const gone = intent({ deleted: live, reasons: [{ type: 'deleted' }] });
    expect(retryIntent(gone, failed('deleted', []), undefined, retry)).toBe(gone);
    expect(retryIntent(gone, { kind: 'addFinalizer', object: live }, undefined, retry)).toBe(gone);
  });
});

describe('mergeIntents of owed work', () => {
  it('composes owed status patches, the later winning and its nulls kept', () => {
    const merged = mergeIntents(
      intent({ status: { a: 1, b: { c: 1 } } }),
      intent({ status: { b: { c: null }, d: 2 } }),
    );
    expect(merged.status).toEqual({ a: 1, b: { c: null }, d: 2 });
    expect(mergeIntents(intent({ status: { a: 1 } }), intent({ added: true })).status).toEqual({ a: 1 });
  });

  it("keeps the main handler's retry over a timer's", () => {
    expect(mergeIntents(intent({ retry: 'modified' }), intent({ retry: 'timer:0' })).retry).toBe('modified');
    expect(mergeIntents(intent({ retry: 'timer:0' }), intent({ retry: 'modified' })).retry).toBe('modified');
    expect(mergeIntents(intent({ retry: 'modified' }), intent({ retry: 'added' })).retry).toBe('added');
  });
});
