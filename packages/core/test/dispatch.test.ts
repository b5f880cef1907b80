import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted, OnModified } from '@kubeop/decorators';
import { describeHandlerClass } from '@kubeop/core';
import { decide, type Intent, intentFor, mergeIntents } from '../src/internal/dispatch/dispatch.js';
import type { AnyObject } from '../src/kube/objects.js';

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

function obj(meta: Partial<AnyObject['metadata']> = {}, status?: Record<string, unknown>): AnyObject {
  return { apiVersion: 'example.kubeop.dev/v1', kind: 'Thing', metadata: { name: 'x', namespace: 'ns', uid: 'u1', generation: 1, ...meta }, status };
}
const intent = (i: Partial<Intent>): Intent => ({ added: false, modified: false, sync: false, ...i });

describe('intentFor', () => {
  it('turns ADDED into an added intent and DELETED into a tombstone', () => {
    expect(intentFor({ type: 'ADDED', object: obj() }, full)).toEqual(intent({ added: true }));
    const gone = obj();
    expect(intentFor({ type: 'DELETED', object: gone }, full)).toEqual(intent({ deleted: gone }));
  });

  it('ignores a MODIFIED that did not change the generation (e.g. a status write)', () => {
    const before = obj({ finalizers: [F] });
    const after = obj({ finalizers: [F] }, { state: 'done' });
    expect(intentFor({ type: 'MODIFIED', object: after, previous: before }, full)).toBeUndefined();
  });

  it('asks for @OnModified when the generation changed', () => {
    const event = { type: 'MODIFIED' as const, object: obj({ generation: 2, finalizers: [F] }), previous: obj({ finalizers: [F] }) };
    expect(intentFor(event, full)).toEqual(intent({ modified: true }));
  });

  it('asks for finalizer work when a deletion starts or our finalizer is missing', () => {
    const deleting = obj({ generation: 2, deletionTimestamp: 'now', finalizers: [F] });
    expect(intentFor({ type: 'MODIFIED', object: deleting, previous: obj({ finalizers: [F] }) }, full)).toEqual(intent({ sync: true }));
    expect(intentFor({ type: 'MODIFIED', object: obj({ resourceVersion: '2' }), previous: obj() }, full)).toEqual(intent({ sync: true }));
  });
});

describe('intentFor on first sight', () => {
  it('adds a modification when the spec moved past the last handled generation', () => {
    const handledAt1 = obj({ generation: 3, annotations: { 'kubeop.dev/handled-generation': '1' } });
    expect(intentFor({ type: 'ADDED', object: handledAt1 }, full)).toEqual(intent({ added: true, modified: true }));
    const upToDate = obj({ generation: 3, annotations: { 'kubeop.dev/handled-generation': '3' } });
    expect(intentFor({ type: 'ADDED', object: upToDate }, full)).toEqual(intent({ added: true }));
    expect(intentFor({ type: 'ADDED', object: handledAt1 }, addOnly)).toEqual(intent({ added: true }));
  });

  it('calls @OnModified for such an object although its status.state is set', () => {
    const live = obj({ generation: 3, finalizers: [F] }, { state: 'created' });
    expect(decide(intent({ added: true, modified: true }), live, full, new Set()).action).toMatchObject({ kind: 'call', event: 'modified' });
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
      kind: 'call', event: 'added', object: live, addFinalizer: true, removeFinalizer: false,
    });
  });

  it('skips @OnAdded when status.state is set (the state rule)', () => {
    const live = obj({}, { state: 'created' });
    expect(decide(intent({ added: true }), live, addOnly, none).action).toEqual({ kind: 'skip', reason: 'status.state is "created"' });
    expect(decide(intent({ added: true }), live, full, none).action).toEqual({ kind: 'addFinalizer', object: live });
  });

  it('calls @OnModified', () => {
    const live = obj({ finalizers: [F] });
    expect(decide(intent({ modified: true }), live, full, none).action).toMatchObject({ kind: 'call', event: 'modified', addFinalizer: false });
  });

  it('runs @OnDeleted then removes the finalizer of an object being deleted', () => {
    const live = obj({ deletionTimestamp: 't', finalizers: [F] });
    expect(decide(intent({ sync: true }), live, full, none).action).toMatchObject({ kind: 'call', event: 'deleted', removeFinalizer: true });
    expect(decide(intent({ sync: true }), live, full, new Set(['u1'])).action).toEqual({ kind: 'removeFinalizer', object: live });
  });

  it('calls @OnDeleted for a tombstone once', () => {
    const gone = obj();
    expect(decide(intent({ deleted: gone }), undefined, full, none).action).toMatchObject({ kind: 'call', event: 'deleted', object: gone });
    expect(decide(intent({ deleted: gone }), undefined, full, new Set(['u1'])).action).toEqual({ kind: 'skip', reason: 'deletion already handled' });
  });

  it('calls an owed (retried or requeued) run whatever status.state its failed attempt wrote', () => {
    const live = obj({ finalizers: [F] }, { state: 'provisioning' });
    expect(decide(intent({ added: true, retry: 'added' }), live, addOnly, none).action).toMatchObject({ kind: 'call', event: 'added' });
    expect(decide(intent({ retry: 'modified' }), live, full, none).action).toMatchObject({ kind: 'call', event: 'modified' });
    // First sight still follows the state rule.
    expect(decide(intent({ added: true }), live, addOnly, none).action).toMatchObject({ kind: 'skip' });
  });

  it('lets a deletion take precedence over an owed run', () => {
    const live = obj({ deletionTimestamp: 't', finalizers: [F] }, { state: 'provisioning' });
    expect(decide(intent({ sync: true, retry: 'added' }), live, full, none).action).toMatchObject({ kind: 'call', event: 'deleted' });
  });

  it('handles the deletion of an old object before the new object of the same name', () => {
    const old = obj({ uid: 'old' });
    const fresh = obj({ uid: 'new' });
    const decision = decide(intent({ deleted: old, added: true }), fresh, full, none);
    expect(decision.action).toMatchObject({ kind: 'call', event: 'deleted', object: old });
    expect(decision.rest).toEqual(intent({ added: true }));
  });
});
