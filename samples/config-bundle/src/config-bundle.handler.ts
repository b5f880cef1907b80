// ConfigBundle: owns a ConfigMap built from its spec, keeps it in step with the spec, restores it when edited or deleted
// by hand, and reports in status; the garbage collector deletes it with its bundle.
import { Arg, CustomResource, OnReconcile, Owns } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler, type RunReason } from '@kubeop/core';

export interface ConfigBundleSpec {
  /**
   * Entries of the ConfigMap; keys as a ConfigMap allows them. None by default: an empty ConfigMap.
   * @validation {rule: "self.all(key, key.matches('^[-._a-zA-Z0-9]+$'))", message: "keys may hold letters, digits, '-', '_' and '.' only"}
   * @maxProperties 100
   * @default {}
   */
  data?: Record<string, string>;
}

export interface ConfigBundleStatus {
  state: 'ready';
  /** Name of the owned ConfigMap. */
  configMap: string;
  /** Entries written. @integer @minimum 0 */
  keys: number;
  /** @integer @format int64 */
  observedGeneration?: number;
}

export type ConfigBundle = CustomObject<ConfigBundleSpec, ConfigBundleStatus>;

@CustomResource({
  group: 'samples.kubeop.dev',
  version: 'v1',
  plural: 'configbundles',
  kind: 'ConfigBundle',
  shortNames: ['cb'],
  columns: [
    { name: 'ConfigMap', type: 'string', jsonPath: '.status.configMap' },
    { name: 'Keys', type: 'integer', jsonPath: '.status.keys' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
})
@Owns({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' })
export class ConfigBundleHandler extends ResourceHandler<ConfigBundleSpec, ConfigBundleStatus> {
  @Arg({ description: 'Label put on every ConfigMap the operator owns', default: 'config-bundle' })
  managedBy!: string;

  /** Every reason ends here: a new or changed bundle, its ConfigMap edited or deleted by hand, a retry. */
  @OnReconcile()
  async reconcile(bundle: ConfigBundle): Promise<void> {
    const { name, namespace, generation } = bundle.metadata;
    const data = bundle.spec?.data ?? {};
    // Server-side apply: only the fields listed here are ours; the same content twice changes nothing.
    await this.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels: { 'app.kubernetes.io/managed-by': this.managedBy } },
      data,
    });
    this.logger.info(`applied ConfigMap ${namespace}/${name} (${this.reasons.map(describeReason).join(', ')})`);
    this.status = { state: 'ready', configMap: name, keys: Object.keys(data).length, observedGeneration: generation };
  }
}

function describeReason(reason: RunReason): string {
  return reason.type === 'owned-changed' ? `${reason.kind} ${reason.name} ${reason.event}` : reason.type;
}
