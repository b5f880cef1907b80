// ConfigBundle: owns a ConfigMap built from its spec, keeps it in step on every spec change, reports in status.
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { Arg, CustomResource, OnAdded, OnDeleted, OnModified } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';

export interface ConfigBundleSpec {
  /** Entries of the ConfigMap. */
  data: Record<string, string>;
}

export interface ConfigBundleStatus {
  state: 'ready';
  configMap: string;
  keys: number;
  observedGeneration?: number;
}

export type ConfigBundle = CustomObject<ConfigBundleSpec, ConfigBundleStatus>;

@CustomResource({
  group: 'samples.kubeop.dev',
  version: 'v1',
  plural: 'configbundles',
  kind: 'ConfigBundle',
  shortNames: ['cb'],
  schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['data'],
        properties: { data: { type: 'object', additionalProperties: { type: 'string' } } },
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
})
export class ConfigBundleHandler extends ResourceHandler<ConfigBundleSpec, ConfigBundleStatus> {
  @Arg({ description: 'Label put on every ConfigMap the operator owns', default: 'config-bundle' })
  managedBy!: string;

  @OnAdded()
  async created(bundle: ConfigBundle): Promise<void> {
    await this.sync(bundle);
  }

  @OnModified()
  async modified(bundle: ConfigBundle): Promise<void> {
    await this.sync(bundle);
  }

  /** Kubernetes' garbage collector also deletes owned objects; deleting here works without it and says so in the log. */
  @OnDeleted()
  async deleted(bundle: ConfigBundle): Promise<void> {
    const { name, namespace } = bundle.metadata;
    await this.core.deleteNamespacedConfigMap({ name, namespace: namespace! }).catch((error: { code?: number }) => {
      if (error.code !== 404) throw error;
    });
    this.logger.info(`deleted ConfigMap ${namespace}/${name}`);
  }

  private get core(): CoreV1Api {
    return this.kubeConfig.makeApiClient(CoreV1Api);
  }

  private async sync(bundle: ConfigBundle): Promise<void> {
    const { name, namespace, uid } = bundle.metadata;
    const desired: V1ConfigMap = {
      metadata: {
        name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': this.managedBy },
        ownerReferences: [
          { apiVersion: bundle.apiVersion, kind: bundle.kind, name, uid: uid!, controller: true, blockOwnerDeletion: true },
        ],
      },
      data: bundle.spec?.data ?? {},
    };
    try {
      await this.core.replaceNamespacedConfigMap({ name, namespace: namespace!, body: desired });
      this.logger.info(`updated ConfigMap ${namespace}/${name}`);
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      await this.core.createNamespacedConfigMap({ namespace: namespace!, body: desired });
      this.logger.info(`created ConfigMap ${namespace}/${name}`);
    }
    this.status = {
      state: 'ready',
      configMap: name,
      keys: Object.keys(desired.data ?? {}).length,
      observedGeneration: bundle.metadata.generation,
    };
  }
}
