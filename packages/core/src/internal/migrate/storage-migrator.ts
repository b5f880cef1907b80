// Storage migration: every object rewritten at the CRD's storage version, then status.storedVersions pruned to it.
import type { KubeClient } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import { collectionPath, fullName, objectPath, type ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const MERGE_PATCH = 'application/merge-patch+json';

/** What the migrator reports as it goes: kubeop_storage_migration_* on /metrics. */
export interface MigrationMetrics {
  /** Objects rewritten at the storage version so far. */
  rewritten(count: number): void;
  /** Old versions still listed in status.storedVersions: 0 once pruned. */
  pendingVersions(count: number): void;
}

export interface StorageMigrationOptions {
  client: KubeClient;
  resource: Pick<ResourceRef, 'group' | 'plural' | 'scope' | 'kind'>;
  logger: Logger;
  metrics?: MigrationMetrics;
  /** Objects per list page. Defaults to 500 (as Cluster API's migrator). */
  pageSize?: number;
  /** Writes in flight at once. Defaults to 4. */
  concurrency?: number;
  /** Attempts per object when a concurrent write wins (409). Defaults to 5. */
  conflictAttempts?: number;
  signal?: AbortSignal;
}

export interface StorageMigrationResult {
  outcome: 'not-needed' | 'migrated' | 'skipped';
  /** The versions status.storedVersions listed before. */
  storedVersions: string[];
  /** Objects listed and written (a write that changes nothing in etcd is skipped by the API server). */
  objects: number;
  /** Why it was skipped. */
  reason?: string;
}

interface Crd {
  metadata: { resourceVersion: string };
  spec: { versions: Array<{ name: string; storage: boolean }> };
  status?: { storedVersions?: string[] };
}

interface ListedObject {
  metadata: { name: string; namespace?: string; uid: string; resourceVersion: string };
}

/**
 * Rewrites every object of the resource when its CRD's `status.storedVersions` lists more than the storage version,
 * then sets `storedVersions` to the storage version alone, so the old versions can be removed from the CRD.
 *
 * Each object gets an empty merge patch with its uid and resourceVersion as preconditions: the API server decodes the
 * stored bytes, encodes them at the storage version and writes them only when they differ (an object stored at the
 * storage version already is not written, and keeps its resourceVersion). A concurrent write makes the patch conflict
 * and it is retried on the fresh object, so nothing a client writes is lost. Idempotent: after a restart it simply
 * runs again, and objects done before cost a patch that writes nothing.
 */
export async function migrateStorage(options: StorageMigrationOptions): Promise<StorageMigrationResult> {
  const { client, resource, logger, metrics } = options;
  const name = fullName(resource);
  let crd: Crd;
  try {
    crd = await client.request<Crd>('GET', `${CRD_PATH}/${name}`, { signal: options.signal });
  } catch (error) {
    if (!(error instanceof KubeApiError && (error.isForbidden || error.isNotFound))) throw error;
    const reason = error.isForbidden
      ? `the operator may not get customresourcedefinitions/${name}`
      : `the CustomResourceDefinition ${name} does not exist`;
    return { outcome: 'skipped', storedVersions: [], objects: 0, reason };
  }
  const storage = storageVersion(crd);
  const stored = crd.status?.storedVersions ?? [];
  const old = stored.filter((version) => version !== storage);
  metrics?.pendingVersions(old.length);
  if (old.length === 0) return { outcome: 'not-needed', storedVersions: stored, objects: 0 };
  logger.info(
    `storage migration of ${name}: objects may be stored at ${old.join(', ')}; rewriting every object at the storage version ${storage}`,
  );
  const at = { ...resource, version: storage };
  let objects = 0;
  let token: string | undefined;
  do {
    const page: { metadata?: { continue?: string }; items: ListedObject[] } = await client.request(
      'GET',
      collectionPath(at),
      {
        query: { limit: options.pageSize ?? 500, continue: token },
        signal: options.signal,
      },
    );
    await inParallel(page.items, options.concurrency ?? 4, (item) => rewrite(options, at, item));
    objects += page.items.length;
    metrics?.rewritten(page.items.length);
    token = page.metadata?.continue || undefined;
    logger.info(
      `storage migration of ${name}: ${objects} objects rewritten at ${storage}${token ? ', continuing' : ''}`,
    );
  } while (token);
  await pruneStoredVersions(options, name, storage);
  metrics?.pendingVersions(0);
  logger.info(
    `storage migration of ${name} done: ${objects} objects at ${storage}; storedVersions is now [${storage}]`,
  );
  return { outcome: 'migrated', storedVersions: stored, objects };
}

function storageVersion(crd: Crd): string {
  const storage = crd.spec.versions.find((version) => version.storage);
  if (!storage) throw new Error('the CustomResourceDefinition has no storage version');
  return storage.name;
}

/** An empty merge patch with preconditions; on a conflict the object is read again and the patch retried. */
async function rewrite(options: StorageMigrationOptions, at: ResourceRef, item: ListedObject): Promise<void> {
  const { client } = options;
  const attempts = options.conflictAttempts ?? 5;
  let { uid, resourceVersion } = item.metadata;
  const path = objectPath(at, item.metadata.name, item.metadata.namespace);
  for (let attempt = 1; ; attempt++) {
    try {
      await client.request('PATCH', path, {
        contentType: MERGE_PATCH,
        body: { metadata: { uid, resourceVersion } },
        signal: options.signal,
      });
      return;
    } catch (error) {
      if (error instanceof KubeApiError && error.isNotFound) return; // deleted meanwhile: nothing stored to rewrite
      if (!(error instanceof KubeApiError && error.isConflict) || attempt >= attempts) throw error;
    }
    let fresh: ListedObject | undefined;
    try {
      fresh = await client.request<ListedObject>('GET', path, { signal: options.signal });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.isNotFound)) throw error;
    }
    if (!fresh || fresh.metadata.uid !== uid) return; // deleted, or deleted and created again (at the storage version)
    resourceVersion = fresh.metadata.resourceVersion;
    uid = fresh.metadata.uid;
  }
}

/**
 * storedVersions set to the storage version alone, through the CRD's status subresource, with its resourceVersion as
 * precondition; refused when the storage version changed meanwhile (another rollout: the next start migrates again).
 */
async function pruneStoredVersions(options: StorageMigrationOptions, name: string, storage: string): Promise<void> {
  const { client } = options;
  for (let attempt = 1; ; attempt++) {
    const crd = await client.request<Crd>('GET', `${CRD_PATH}/${name}`, { signal: options.signal });
    if (storageVersion(crd) !== storage)
      throw new Error(
        `the storage version of ${name} changed from ${storage} to ${storageVersion(crd)} during the migration; it runs again at the next start`,
      );
    try {
      await client.request('PATCH', `${CRD_PATH}/${name}/status`, {
        contentType: MERGE_PATCH,
        body: { metadata: { resourceVersion: crd.metadata.resourceVersion }, status: { storedVersions: [storage] } },
        signal: options.signal,
      });
      return;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.isConflict) || attempt >= 5) throw error;
    }
  }
}

async function inParallel<T>(items: T[], workers: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
