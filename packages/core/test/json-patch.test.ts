// jsonPatch: the RFC 6902 operations between two documents, checked by applying them back.
import { describe, expect, it } from '@jest/globals';
import { jsonPatch, type PatchOperation } from '../src/internal/webhook/json-patch.js';

/** A small applier for add/replace/remove, to check that a patch turns `before` into `after`. */
function apply(document: unknown, operations: PatchOperation[]): unknown {
  let root = structuredClone(document);
  for (const operation of operations) {
    const keys = operation.path
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (keys.length === 0) {
      root = operation.op === 'remove' ? undefined : operation.value;
      continue;
    }
    const last = keys.pop()!;
    const parent = keys.reduce<Record<string, unknown>>(
      (at, key) => at[key] as Record<string, unknown>,
      root as Record<string, unknown>,
    );
    if (operation.op === 'remove') delete parent[last];
    else parent[last] = operation.value;
  }
  return root;
}

describe('jsonPatch', () => {
  it('is empty for equal documents', () => {
    const doc = { a: 1, b: { c: [1, { d: 'x' }] } };
    expect(jsonPatch(doc, structuredClone(doc))).toEqual([]);
  });

  it('adds, replaces and removes fields at any depth', () => {
    const before = { metadata: { name: 'a', labels: { old: '1' } }, spec: { size: 1, keep: true } };
    const after = { metadata: { name: 'a', labels: { new: '2' } }, spec: { size: 2, keep: true, extra: { x: 1 } } };
    const patch = jsonPatch(before, after);
    expect(patch).toEqual([
      { op: 'remove', path: '/metadata/labels/old' },
      { op: 'add', path: '/metadata/labels/new', value: '2' },
      { op: 'replace', path: '/spec/size', value: 2 },
      { op: 'add', path: '/spec/extra', value: { x: 1 } },
    ]);
    expect(apply(before, patch)).toEqual(after);
  });

  it('escapes ~ and / in keys (annotations such as example.com/owner)', () => {
    const before = { metadata: { annotations: {} } };
    const after = { metadata: { annotations: { 'example.com/owner': 'me', 'a~b': 'c' } } };
    const patch = jsonPatch(before, after);
    expect(patch.map((o) => o.path)).toEqual([
      '/metadata/annotations/example.com~1owner',
      '/metadata/annotations/a~0b',
    ]);
    expect(apply(before, patch)).toEqual(after);
  });

  it('patches arrays of one length element by element and replaces others whole', () => {
    const before = { list: [1, 2, 3], other: [{ a: 1 }], shape: [1] };
    const after = { list: [1, 5, 3], other: [{ a: 1 }, { a: 2 }], shape: { one: 1 } };
    const patch = jsonPatch(before, after);
    expect(patch).toEqual([
      { op: 'replace', path: '/list/1', value: 5 },
      { op: 'replace', path: '/other', value: [{ a: 1 }, { a: 2 }] },
      { op: 'replace', path: '/shape', value: { one: 1 } },
    ]);
    expect(apply(before, patch)).toEqual(after);
  });

  it('tells null from a missing field', () => {
    expect(jsonPatch({ a: null }, { a: 0 })).toEqual([{ op: 'replace', path: '/a', value: 0 }]);
    expect(jsonPatch({ a: null }, {})).toEqual([{ op: 'remove', path: '/a' }]);
  });
});
