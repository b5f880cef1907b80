// One list-watch and cache per resource type, scope and selectors, shared by every controller and owner
// relation that needs it: a second watch of the same objects would double the cache and the server's work.
import type { KubeClient } from '../../kube/client.js';
import { apiVersionOf, collectionPath, fullName, type ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import type { ControllerMetrics } from '../metrics/metrics.js';
import { ResourceWatcher, type Selectors } from './watcher.js';

export interface InformerOptions {
  client: KubeClient;
  logger: Logger;
  timeoutSeconds: number;
  watchdogMs: number;
  /** Watch metrics, labelled by the watched resource (`plural.group`). */
  metricsFor: (resource: string) => Pick<ControllerMetrics, 'watchRestart' | 'watchEvent' | 'bookmark'>;
}

/** How a watcher caches its objects; watchers that differ in these are not shared. */
export interface CacheOptions {
  /** Cache `PartialObjectMetadata` only (see WatcherOptions). Defaults to `false`. */
  metadataOnly?: boolean;
  /** Keep `metadata.managedFields`. Defaults to `false`. */
  keepManagedFields?: boolean;
}

export class Informers {
  private readonly watchers = new Map<string, ResourceWatcher>();

  constructor(private readonly options: InformerOptions) {}

  /** The shared watcher of `type` in `namespace` (all when undefined); not started until someone calls start(). */
  get(
    type: ResourceRef,
    namespace: string | undefined,
    selectors: Selectors = {},
    cache: CacheOptions = {},
  ): ResourceWatcher {
    const path = collectionPath(type, namespace);
    const metadataOnly = cache.metadataOnly ?? false;
    const keepManagedFields = cache.keepManagedFields ?? false;
    const key = `${path}?${selectors.labelSelector ?? ''}&${selectors.fieldSelector ?? ''}&${metadataOnly}&${keepManagedFields}`;
    let watcher = this.watchers.get(key);
    if (!watcher) {
      const name = fullName(type);
      const where =
        type.scope === 'Cluster' ? '(cluster-scoped)' : namespace ? `in namespace ${namespace}` : 'in all namespaces';
      const filters = [
        selectors.labelSelector && `labels ${selectors.labelSelector}`,
        selectors.fieldSelector && `fields ${selectors.fieldSelector}`,
      ];
      if (metadataOnly) filters.push('metadata only');
      const filtered = filters.filter(Boolean).join(', ');
      watcher = new ResourceWatcher({
        client: this.options.client,
        path,
        name,
        selectors,
        description: `${name} ${where}${filtered ? ` (${filtered})` : ''}`,
        logger: this.options.logger.child({ resource: name }),
        timeoutSeconds: this.options.timeoutSeconds,
        watchdogMs: this.options.watchdogMs,
        metrics: this.options.metricsFor(name),
        metadataOnly,
        keepManagedFields,
        type: { apiVersion: apiVersionOf(type), kind: type.kind },
      });
      this.watchers.set(key, watcher);
    }
    return watcher;
  }

  get all(): ResourceWatcher[] {
    return [...this.watchers.values()];
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((watcher) => watcher.stop()));
  }
}
