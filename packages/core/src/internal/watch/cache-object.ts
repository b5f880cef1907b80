// What the watch cache keeps of an object the API server sent: trimmed in place, since the object was just parsed
// and nothing else holds it (a copy per event would be garbage, and a cached object lives as long as the object).
import type { KubeObject } from '../../kube/objects.js';

/** kubectl's copy of the whole object in an annotation: as large as the object, and never read by kubeop. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The media type of a metadata-only list or watch: the server sends `PartialObjectMetadata` (no spec, data, status). */
export const METADATA_ONLY_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export interface CacheShape {
  /** Keep `metadata.managedFields` (server-side apply's bookkeeping, often the largest part of a small object). */
  keepManagedFields: boolean;
  /**
   * The watched type's `apiVersion` and `kind`, written over what the server sent: a metadata-only watch sends
   * `meta.k8s.io/v1` `PartialObjectMetadata`, and a list's items may leave them out.
   */
  type?: { apiVersion: string; kind: string };
}

/** Drops what kubeop does not read from a freshly parsed object, in place, and returns it. */
export function trimForCache<T extends KubeObject>(object: T, shape: CacheShape): T {
  const metadata = object.metadata;
  // Assigned rather than deleted: a delete turns the object into a slower, larger dictionary (V8), about 300 bytes
  // more per cached object; JSON.stringify leaves an undefined field out all the same.
  if (!shape.keepManagedFields && metadata.managedFields !== undefined) metadata.managedFields = undefined;
  const annotations = metadata.annotations;
  if (annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
    metadata.annotations = rest;
  }
  if (shape.type) {
    object.apiVersion = shape.type.apiVersion;
    object.kind = shape.type.kind;
  }
  return object;
}
