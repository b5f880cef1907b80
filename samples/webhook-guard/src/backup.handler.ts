// Backups checked and defaulted before the API server stores them: two things a CRD schema cannot do.
import { CustomResource, OnMutate, OnValidate } from '@kubeop/decorators';
import { type AdmissionRequest, type CustomObject, Denied, ResourceHandler } from '@kubeop/core';

/** What a Backup asks for; its CRD schema is generated from this type (kubeop crd). */
export interface BackupSpec {
  /** The Secret, in the Backup's namespace, with the storage credentials. */
  credentialsSecret: string;
  /** Cron schedule. Defaults to once an hour, at a minute spread by the Backup's name. */
  schedule?: string;
}

export type Backup = CustomObject<BackupSpec>;

@CustomResource({ group: 'samples.kubeop.dev', version: 'v1', plural: 'backups', kind: 'Backup' })
export class BackupGuard extends ResourceHandler<BackupSpec> {
  /** A schema can say the field is required; only a look at the cluster can say that the Secret exists. */
  @OnValidate()
  async check(backup: Backup, request: AdmissionRequest<Backup>): Promise<void> {
    const name = backup.spec?.credentialsSecret ?? '';
    const namespace = request.namespace;
    const secret = await this.client.get({ apiVersion: 'v1', kind: 'Secret', name, namespace });
    if (!secret)
      throw new Denied(`spec.credentialsSecret: no Secret ${name} in namespace ${namespace}`, {
        field: 'spec.credentialsSecret',
      });
    const before = request.oldObject?.spec?.credentialsSecret;
    if (before !== undefined && before !== name) request.warn(`credentials change from ${before} to ${name}`);
  }

  /**
   * A schema default is one constant for every object: a thousand Backups would all start at minute 0. This default
   * differs per Backup (and stays put, as it depends only on the name).
   */
  @OnMutate({ operations: ['CREATE'] })
  defaults(backup: Backup, request: AdmissionRequest<Backup>): void {
    const key = `${request.namespace ?? ''}/${backup.metadata.name ?? ''}`;
    if (backup.spec) backup.spec.schedule ??= `${spreadMinute(key)} * * * *`;
  }
}

/** A minute from 0 to 59 picked by a stable hash (FNV-1a) of `key`. */
export function spreadMinute(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash % 60;
}
