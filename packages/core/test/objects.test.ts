import { describe, expect, it } from '@jest/globals';
import { objectKey, slim } from '../src/kube/objects.js';

describe('slim', () => {
  it("drops managedFields and kubectl's last-applied copy, and keeps the rest", () => {
    const object = {
      apiVersion: 'a/v1',
      kind: 'Thing',
      metadata: {
        name: 'x',
        namespace: 'ns',
        managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}', keep: 'me' },
        labels: { a: 'b' },
      },
      spec: { size: 1 },
      status: { state: 'done' },
    };
    expect(slim(object)).toEqual({
      apiVersion: 'a/v1',
      kind: 'Thing',
      metadata: { name: 'x', namespace: 'ns', annotations: { keep: 'me' }, labels: { a: 'b' } },
      spec: { size: 1 },
      status: { state: 'done' },
    });
    expect(object.metadata.managedFields).toHaveLength(1);
  });
});

describe('objectKey', () => {
  it('is namespace/name, or the name of a cluster-scoped object', () => {
    expect(objectKey({ metadata: { name: 'x', namespace: 'ns' } })).toBe('ns/x');
    expect(objectKey({ metadata: { name: 'x' } })).toBe('x');
  });
});
