// API paths of one custom resource.
import type { CustomResourceRecord } from '@kubeop/decorators';

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  scope: CustomResourceRecord['scope'];
}

/** Collection path: all namespaces, or one when `namespace` is given. */
export function collectionPath(resource: ResourceRef, namespace?: string): string {
  const base = `/apis/${resource.group}/${resource.version}`;
  return namespace && resource.scope === 'Namespaced'
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`
    : `${base}/${resource.plural}`;
}

export function objectPath(resource: ResourceRef, name: string, namespace?: string): string {
  return `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`;
}

export function fullName(resource: { plural: string; group: string }): string {
  return `${resource.plural}.${resource.group}`;
}
