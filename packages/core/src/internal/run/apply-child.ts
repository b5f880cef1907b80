// `this.apply`: server-side apply of a child object, placed in its owner's namespace and owned by it.
import { KubeopError } from '../../errors.js';
import type { Applied, ChildObject } from '../../handler.js';
import type { KubeObject, OwnerReference } from '../../kube/objects.js';

/** What applying a child needs of the client. */
export interface ChildApplier {
  resourceFor(apiVersion: string, kind: string): Promise<{ namespaced: boolean }>;
  apply<T extends ChildObject>(object: T, options: { fieldManager: string; force: boolean }): Promise<T>;
}

/** A child that cannot be owned as asked; names the child, the owner and the rule. */
export class ChildObjectError extends KubeopError {
  override readonly name = 'ChildObjectError';
  readonly code = 'CHILD_OBJECT_INVALID';
}

export async function applyChild<T extends ChildObject>(
  client: ChildApplier,
  owner: KubeObject,
  fieldManager: string,
  child: T,
): Promise<Applied<T>> {
  const missing = (['apiVersion', 'kind'] as const).filter(
    (field) => typeof child?.[field] !== 'string' || !child[field],
  );
  if (typeof child?.metadata?.name !== 'string' || !child.metadata.name) missing.push('metadata.name' as never);
  const ownerName = `${owner.kind} ${owner.metadata.namespace ? `${owner.metadata.namespace}/` : ''}${owner.metadata.name}`;
  if (missing.length)
    throw new ChildObjectError(`this.apply() in the handler of ${ownerName}: the object has no ${missing.join(', ')}`);
  const childName = `${child.kind} ${child.metadata.name}`;
  const { namespaced } = await client.resourceFor(child.apiVersion, child.kind);
  const ownerNamespace = owner.metadata.namespace;
  let namespace: string | undefined;
  if (namespaced) {
    namespace = child.metadata.namespace ?? ownerNamespace;
    if (!namespace)
      throw new ChildObjectError(
        `this.apply(${childName}): a namespaced child of the cluster-scoped ${ownerName} needs metadata.namespace`,
      );
    if (ownerNamespace && namespace !== ownerNamespace) {
      throw new ChildObjectError(
        `this.apply(${childName}): namespace ${namespace} is not its owner's (${ownerName}); owner references cannot cross namespaces`,
      );
    }
  } else if (ownerNamespace) {
    throw new ChildObjectError(
      `this.apply(${childName}): a cluster-scoped object cannot be owned by the namespaced ${ownerName}`,
    );
  }
  const uid = owner.metadata.uid;
  if (!uid) throw new ChildObjectError(`this.apply(${childName}): the owner ${ownerName} has no uid`);
  const references = ((child.metadata.ownerReferences ?? []) as OwnerReference[]).filter((ref) => ref.uid !== uid);
  const otherController = references.find((ref) => ref.controller);
  if (otherController) {
    throw new ChildObjectError(
      `this.apply(${childName}): it already has a controller owner (${otherController.kind} ${otherController.name}); an object has at most one`,
    );
  }
  const ownerReference: OwnerReference = {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
  const metadata = {
    ...child.metadata,
    ...(namespace ? { namespace } : {}),
    ownerReferences: [...references, ownerReference],
  };
  return client.apply({ ...child, metadata }, { fieldManager, force: true }) as Promise<Applied<T>>;
}
