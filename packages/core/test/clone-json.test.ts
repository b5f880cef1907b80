import { describe, expect, it } from '@jest/globals';
import { cloneJson } from '../src/internal/util/clone-json.js';

describe('cloneJson', () => {
  const parsed = () =>
    JSON.parse(
      '{"apiVersion":"v1","metadata":{"name":"a","labels":{"x":"1"},"finalizers":["f"]},' +
        '"spec":{"list":[{"n":1},[2,3],null,true,"s"],"zero":0,"empty":{},"none":[]}}',
    ) as Record<string, unknown>;

  it('copies every level: the copy equals the original and shares no object or array with it', () => {
    const original = parsed();
    const copy = cloneJson(original);
    expect(copy).toStrictEqual(original);
    expect(copy).toStrictEqual(structuredClone(original));
    const spec = copy.spec as { list: [{ n: number }, number[]]; empty: object };
    spec.list[0].n = 9;
    spec.list[1].push(4);
    (copy.metadata as { labels: Record<string, string> }).labels.y = '2';
    expect(original).toStrictEqual(parsed());
    expect(spec.empty).not.toBe((original.spec as { empty: object }).empty);
  });

  it('keeps a field set to undefined, as structuredClone does (the cache blanks managedFields that way)', () => {
    const copy = cloneJson({ metadata: { name: 'a', managedFields: undefined } });
    expect(Object.keys(copy.metadata)).toEqual(['name', 'managedFields']);
  });

  it('keeps a "__proto__" key as an own field instead of setting the prototype', () => {
    const original = JSON.parse('{"spec":{"__proto__":{"polluted":true}}}') as { spec: Record<string, unknown> };
    const copy = cloneJson(original);
    expect(Object.getPrototypeOf(copy.spec)).toBe(Object.prototype);
    expect(Object.keys(copy.spec)).toEqual(['__proto__']);
    expect((copy.spec as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });

  it('returns scalars as they are', () => {
    expect(cloneJson(null)).toBeNull();
    expect(cloneJson('s')).toBe('s');
    expect(cloneJson(3)).toBe(3);
    expect(cloneJson(undefined)).toBeUndefined();
  });
});
