import { describe, expect, it } from '@jest/globals';
import { objectKey } from '../src/kube/objects.js';

describe('objectKey', () => {
  it('is namespace/name, or the name of a cluster-scoped object', () => {
    expect(objectKey({ metadata: { name: 'x', namespace: 'ns' } })).toBe('ns/x');
    expect(objectKey({ metadata: { name: 'x' } })).toBe('x');
  });
});
