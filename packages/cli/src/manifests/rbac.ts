// Least-privilege RBAC computed from the handler classes: exactly the verbs kubeop's runtime uses, nothing with '*'.
import { type ResourceDescription, watchesObjects } from '@kubeop/core/tooling';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  /** Narrows the rule to these objects (not possible for create, nor for list/watch without a name field selector). */
  resourceNames?: string[];
}

export interface RbacOptions {
  /** The operator may create its CRDs (`--create-crd`). */
  createCrd: boolean;
  /** The operator may update its CRDs' schemas (`--update-crd`). */
  updateCrd: boolean;
}

export interface OperatorRules {
  /** For the watched objects: a ClusterRole, or a Role in the watched namespace. */
  objects: PolicyRule[];
  /** Cluster-scoped only (CRDs): always a ClusterRole. */
  cluster: PolicyRule[];
}

/** The verbs kubeop uses, and why: a rule nobody can explain is a rule too many. */
const HANDLED_VERBS = ['get', 'list', 'watch', 'patch', 'update']; // list-watch; finalizers and annotations by patch; the status writer reads an object on 404
const STATUS_VERBS = ['patch']; // this.status is a merge patch of the status subresource
const OWNED_VERBS = ['get', 'list', 'watch', 'create', 'patch']; // @Owns list-watches; this.apply is a patch that creates what is missing; a handler reads its own child (a Secret's generated password)
const FINALIZERS_VERBS = ['update']; // blockOwnerDeletion on a child needs update on its owner's finalizers
const EVENT_VERBS = ['create', 'patch']; // a repeated Event is counted on the first one
const LEASE_VERBS = ['get', 'create', 'update'];
const CHECKED_VERBS = ['list']; // a class with webhooks only: the start-up check that the resource is served lists one object
const MIGRATION_VERBS = ['get', 'list', 'patch']; // the leader's storage migration lists the objects and rewrites each (a GET after a conflict)

/** A custom resource serving other versions: the leader migrates its stored objects to the storage version. */
function migratesStorage({ resource, versions }: ResourceDescription): boolean {
  return resource.custom && versions.length > 0;
}

export function operatorRules(descriptions: ResourceDescription[], options: RbacOptions): OperatorRules {
  const verbs = new Map<string, Set<string>>(); // "group|resource" -> verbs
  const add = (group: string, resource: string, more: string[]) => {
    const key = `${group}|${resource}`;
    const set = verbs.get(key) ?? new Set<string>();
    for (const verb of more) set.add(verb);
    verbs.set(key, set);
  };
  for (const description of descriptions) {
    const { resource, owns } = description;
    if (!watchesObjects(description)) {
      // Webhooks only: the API server sends the objects; nothing watches, patches or updates them.
      add(resource.group, resource.plural, CHECKED_VERBS);
      if (migratesStorage(description)) add(resource.group, resource.plural, MIGRATION_VERBS);
      continue;
    }
    add(resource.group, resource.plural, HANDLED_VERBS);
    add(resource.group, `${resource.plural}/status`, STATUS_VERBS);
    if (owns.length) add(resource.group, `${resource.plural}/finalizers`, FINALIZERS_VERBS);
    for (const owned of owns) add(owned.group, owned.plural, OWNED_VERBS);
  }
  add('', 'events', EVENT_VERBS);
  const objects = [...verbs].map(([key, set]) => {
    const [group, resource] = key.split('|') as [string, string];
    return { apiGroups: [group], resources: [resource], verbs: [...set] };
  });
  // A class serving several versions: the leader's storage migration reads the CRD and prunes its storedVersions.
  const migrates = descriptions.some(migratesStorage);
  const crdVerbs = [
    ...(options.createCrd || options.updateCrd || migrates ? ['get'] : []),
    ...(options.createCrd ? ['create'] : []),
    ...(options.updateCrd ? ['patch'] : []),
  ];
  const crds = (resources: string[], verbs: string[]) => ({ apiGroups: ['apiextensions.k8s.io'], resources, verbs });
  const cluster = [
    ...(crdVerbs.length ? [crds(['customresourcedefinitions'], crdVerbs)] : []),
    ...(migrates ? [crds(['customresourcedefinitions/status'], ['patch'])] : []),
  ];
  return { objects, cluster };
}

/** For the Lease, in the operator's namespace, when leader election is on. */
export function leaseRules(): PolicyRule[] {
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: LEASE_VERBS }];
}
