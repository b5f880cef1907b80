import { describe, expect, it } from '@jest/globals';
import { applyMergePatch, composeMergePatches, prunedPaths } from '../src/internal/util/merge-patch.js';
import { backoffDelay } from '../src/internal/util/backoff.js';

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, replaces arrays and scalars, deletes on null', () => {
    const target = { state: 'a', info: { x: 1, y: 2 }, list: [1, 2] };
    expect(applyMergePatch(target, { state: 'b', info: { y: null, z: 3 }, list: [3] })).toEqual({
      state: 'b',
      info: { x: 1, z: 3 },
      list: [3],
    });
    expect(target).toEqual({ state: 'a', info: { x: 1, y: 2 }, list: [1, 2] });
  });

  it('starts from nothing', () => {
    expect(applyMergePatch(undefined, { state: 'created' })).toEqual({ state: 'created' });
  });
});

describe('prunedPaths', () => {
  it('names the fields a write set that the server does not return', () => {
    const patch = { state: 'done', phase: 'x', info: { kept: 1, dropped: 2 }, removed: null, list: [1] };
    const written = { state: 'done', info: { kept: 1 }, list: [1] };
    expect(prunedPaths(patch, written)).toEqual(['status.phase', 'status.info.dropped']);
  });

  it('names every field when the whole status was dropped', () => {
    expect(prunedPaths({ state: 'done' }, undefined)).toEqual(['status.state']);
    expect(prunedPaths({ state: 'done' }, { state: 'done' })).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap', () => {
    const policy = { baseMs: 100, capMs: 1000 };
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(policy, n, 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitters downwards only, within the factor', () => {
    const policy = { baseMs: 1000, capMs: 10_000 };
    expect(backoffDelay(policy, 1, 0.2, () => 1)).toBe(800);
    expect(backoffDelay(policy, 1, 0.2, () => 0)).toBe(1000);
  });
});

describe('composeMergePatches', () => {
  it('does what applying both in turn does', () => {
    const target = { a: 1, b: { c: 1, d: 1 }, e: [1] };
    const first = { a: 2, b: { c: null }, f: 'x' };
    const second = { b: { d: null, g: 1 }, e: null, f: { h: 1 } };
    const composed = composeMergePatches(first, second);
    expect(applyMergePatch(target, composed)).toEqual(applyMergePatch(applyMergePatch(target, first), second));
    expect(composed).toEqual({ a: 2, b: { c: null, d: null, g: 1 }, e: null, f: { h: 1 } });
  });
});
