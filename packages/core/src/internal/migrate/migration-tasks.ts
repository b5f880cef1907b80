// The leader's storage-migration tasks: one per custom resource, unless --migrate-storage=false or one namespace is watched.
import type { RuntimeConfig } from '../../config.js';
import type { ResourceDescription } from '../../explorer.js';
import type { KubeClient } from '../../kube/client.js';
import { fullName } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import type { Metrics } from '../metrics/metrics.js';
import { migrateStorage } from './storage-migrator.js';

export function storageMigrationTasks(
  resources: ResourceDescription[],
  parts: { client: KubeClient; config: RuntimeConfig; logger: Logger; metrics: Metrics },
): Array<{ name: string; run: (signal: AbortSignal) => Promise<unknown> }> {
  const { client, config, logger, metrics } = parts;
  if (!config.migrateStorage) return [];
  return resources
    .filter(({ resource }) => resource.custom)
    .map(({ resource }) => {
      const name = fullName(resource);
      return {
        name: `storage migration of ${name}`,
        run: async (signal: AbortSignal) => {
          // A migration must see every object; an operator confined to one namespace cannot list the others.
          if (config.namespace && resource.scope === 'Namespaced') {
            logger.debug(
              `storage migration of ${name} skipped: the operator watches namespace ${config.namespace} only`,
            );
            return;
          }
          const result = await migrateStorage({
            client,
            resource,
            logger,
            metrics: metrics.forMigration(name),
            signal,
          });
          if (result.outcome === 'skipped')
            logger.info(
              `storage migration of ${name} skipped: ${result.reason ?? ''}; objects stored at older versions stay there (--no-migrate-storage silences this)`,
            );
        },
      };
    });
}
