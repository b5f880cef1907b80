// The relist diff: the events between the cache and a fresh list.
import { describe, expect, it } from '@jest/globals';
import { relistDiff } from '../src/internal/watch/relist-diff.js';
import type { KubeObject } from '../src/kube/objects.js';

const obj = (name: string, uid: string, resourceVersion: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: { name, namespace: 'ns', uid, resourceVersion },
});
const map = (...objects: KubeObject[]) => new Map(objects.map((o) => [`ns/${o.metadata.name}`, o]));

describe('relistDiff', () => {
  it('emits nothing when nothing changed', () => {
    expect(relistDiff(map(obj('a', 'u1', '1')), map(obj('a', 'u1', '1')))).toEqual([]);
  });

  it('emits every object as ADDED on the first list', () => {
    const a = obj('a', 'u1', '1');
    expect(relistDiff(new Map(), map(a))).toEqual([{ type: 'ADDED', object: a }]);
  });

  it('emits a DELETED for what the list lacks, first, with its last known state', () => {
    const gone = obj('gone', 'u1', '1');
    const added = obj('new', 'u2', '5');
    expect(relistDiff(map(gone), map(added))).toEqual([
      { type: 'DELETED', object: gone, previous: gone },
      { type: 'ADDED', object: added },
    ]);
  });

  it('emits MODIFIED with the previous state when the resourceVersion moved', () => {
    const before = obj('a', 'u1', '1');
    const after = obj('a', 'u1', '2');
    expect(relistDiff(map(before), map(after))).toEqual([{ type: 'MODIFIED', object: after, previous: before }]);
  });

  it('emits DELETED then ADDED for an object deleted and created again under the same name (a new uid)', () => {
    const old = obj('a', 'u1', '1');
    const recreated = obj('a', 'u2', '3');
    expect(relistDiff(map(old), map(recreated))).toEqual([
      { type: 'DELETED', object: old, previous: old },
      { type: 'ADDED', object: recreated },
    ]);
  });
});
