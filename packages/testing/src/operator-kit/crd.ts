// Installs the CustomResourceDefinition of a handler class (or of a plain resource type) and waits until it is served.
import 'reflect-metadata';
import { ApiextensionsV1Api, ApiException, type KubeConfig, loadYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { crdManifest, describeHandlerClass } from '@kubeop/core';
import { CUSTOM_RESOURCE_KEY, CustomResource } from '@kubeop/decorators';
import { eventually } from '../eventually.js';
import type { HandlerClass, ResourceType } from './types.js';

/**
 * Creates the CRD that `--create-crd` would (names, scope and schema from the decorator, the status subresource on)
 * unless one of that name exists, then waits until it is Established. A plain `ResourceType` gets a namespaced CRD
 * that keeps any spec and status.
 */
export async function installCrd(kubeConfig: KubeConfig, source: HandlerClass | ResourceType, timeoutMs = 60_000): Promise<void> {
  const manifest = crdManifest(typeof source === 'function' ? describeHandlerClass(source).resource : recordOf(source));
  // The typed API serialises its model (xKubernetesPreserveUnknownFields), not the wire names this JSON has; loadYaml
  // (JSON is YAML) converts wire names to the model's, so nothing is dropped on the way.
  const body = loadYaml<V1CustomResourceDefinition>(JSON.stringify(manifest));
  const name = body.metadata!.name!;
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  try {
    await api.createCustomResourceDefinition({ body });
  } catch (error) {
    // 409: installed already (by an earlier test file, or another run on a long-lived cluster).
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  }
  await eventually(
    async () => {
      const crd = await api.readCustomResourceDefinition({ name });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    `the CustomResourceDefinition ${name} to be Established`,
    timeoutMs,
  );
}

// The decorator normalises the options (singular, scope, ...) exactly as it would on a handler class.
function recordOf(type: ResourceType): Parameters<typeof crdManifest>[0] {
  class PlainResource {}
  CustomResource(type)(PlainResource);
  return Reflect.getMetadata(CUSTOM_RESOURCE_KEY, PlainResource) as Parameters<typeof crdManifest>[0];
}
