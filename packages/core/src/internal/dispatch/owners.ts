// Maps an owned object's event onto its owner's queue key, through its controller owner reference.
import type { KubeObject, OwnerReference } from '../../kube/objects.js';
import { groupVersionOf } from '../../kube/resource.js';
import type { RunReason } from '../../reasons.js';
import type { WatchEvent } from '../types/watch-event.js';

export interface OwnerType {
  group: string;
  kind: string;
  scope: 'Namespaced' | 'Cluster';
}

export interface OwnerRef {
  /** The owner's queue key: `namespace/name`, or `name` when cluster-scoped. */
  key: string;
  uid: string;
}

/** The controller owner of `child` if it is of `owner`'s type; other owners (and plain owner references) are ignored. */
export function controllerOwner(child: KubeObject, owner: OwnerType): OwnerRef | undefined {
  // As the server sent them: any field may be missing.
  const references = (child.metadata.ownerReferences ?? []) as Array<Partial<OwnerReference>>;
  const reference = references.find((ref) => ref.controller === true);
  if (
    !reference?.name ||
    !reference.uid ||
    reference.kind !== owner.kind ||
    !reference.apiVersion ||
    groupVersionOf(reference.apiVersion).group !== owner.group
  )
    return undefined;
  if (owner.scope === 'Cluster') return { key: reference.name, uid: reference.uid };
  // A namespaced owner lives in its child's namespace; a cluster-scoped child cannot have one.
  const namespace = child.metadata.namespace;
  return namespace ? { key: `${namespace}/${reference.name}`, uid: reference.uid } : undefined;
}

export function ownedChanged(event: WatchEvent): RunReason {
  const { apiVersion, kind, metadata } = event.object;
  return {
    type: 'owned-changed',
    apiVersion,
    kind,
    name: metadata.name,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    event: event.type === 'ADDED' ? 'added' : event.type === 'DELETED' ? 'deleted' : 'modified',
  };
}
