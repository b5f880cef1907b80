// API paths of one resource type: custom, built-in (the core group is '' and lives under /api) or installed by others.
import type { ResourceRecord } from '@kubeop/decorators';

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  scope: ResourceRecord['scope'];
}

/** Where a group-version is served, and listed by discovery: `/api/v1` for the core group, else `/apis/<group>/<version>`. */
export function groupVersionPath(resource: { group: string; version: string }): string {
  return resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
}

/** Collection path: all namespaces, or one when `namespace` is given. */
export function collectionPath(resource: ResourceRef, namespace?: string): string {
  const base = groupVersionPath(resource);
  return namespace && resource.scope === 'Namespaced'
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`
    : `${base}/${resource.plural}`;
}

export function objectPath(resource: ResourceRef, name: string, namespace?: string): string {
  return `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`;
}

/** `plural.group`, or `plural` for the core group (as kubectl names them). */
export function fullName(resource: { plural: string; group: string }): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

/** `group/version`, or `version` for the core group: an object's `apiVersion`. */
export function apiVersionOf(resource: { group: string; version: string }): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The group and version of an object's `apiVersion` (`v1` is the core group, `''`). */
export function groupVersionOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
