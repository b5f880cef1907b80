// trimForCache: what the watch cache keeps of an object the server sent.
import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../src/kube/objects.js';
import { trimForCache } from '../src/internal/watch/cache-object.js';

const received = (): KubeObject => ({
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
});

describe('trimForCache', () => {
  it("drops managedFields and kubectl's last-applied copy in place, and keeps the rest", () => {
    const object = received();
    const trimmed = trimForCache(object, { keepManagedFields: false });
    expect(trimmed).toBe(object);
    expect(JSON.parse(JSON.stringify(trimmed))).toEqual({
      apiVersion: 'a/v1',
      kind: 'Thing',
      metadata: { name: 'x', namespace: 'ns', annotations: { keep: 'me' }, labels: { a: 'b' } },
      spec: { size: 1 },
      status: { state: 'done' },
    });
    expect(trimmed.metadata.managedFields).toBeUndefined();
  });

  it('keeps managedFields when asked to', () => {
    const trimmed = trimForCache(received(), { keepManagedFields: true });
    expect(trimmed.metadata.managedFields).toEqual([{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }]);
    expect(trimmed.metadata.annotations).toEqual({ keep: 'me' });
  });

  it("names the watched type in place of a metadata-only object's PartialObjectMetadata", () => {
    const partial = { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name: 'x' } };
    const trimmed = trimForCache(partial, { keepManagedFields: false, type: { apiVersion: 'v1', kind: 'ConfigMap' } });
    expect(trimmed).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  });

  it('leaves an object without annotations or managedFields as it was', () => {
    const plain = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } };
    expect(trimForCache(structuredClone(plain), { keepManagedFields: false })).toStrictEqual(plain);
  });
});
