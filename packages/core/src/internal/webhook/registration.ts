// Registration at start and again whenever the CA bundle changes, so the API server always trusts the certificate
// being served: the two admission webhook configurations (--install-webhooks) and the CRDs' conversion webhooks.
import { type KubeClient, MERGE_PATCH } from '../../kube/client.js';
import type { Logger } from '../../logging.js';
import { ADMISSION_API_VERSION, type WebhookConfigurations, type WebhookTarget } from './configurations.js';
import { type ConversionEndpoint, conversionPatch } from './conversion.js';

const APPLY_PATCH = 'application/apply-patch+yaml';

export async function applyWebhookConfigurations(
  client: KubeClient,
  configurations: WebhookConfigurations,
  fieldManager: string,
  logger: Logger,
): Promise<void> {
  for (const [plural, configuration] of [
    ['validatingwebhookconfigurations', configurations.validating],
    ['mutatingwebhookconfigurations', configurations.mutating],
  ] as const) {
    if (!configuration) continue;
    const name = (configuration.metadata as { name: string }).name;
    // JSON is YAML: sent as given (client-node's models would drop fields).
    await client.request('PATCH', `/apis/${ADMISSION_API_VERSION}/${plural}/${name}`, {
      query: { fieldManager, force: true },
      body: configuration,
      contentType: APPLY_PATCH,
    });
    // Under --dry-run the API server validated it and stored nothing: the line must not claim otherwise.
    const what = `${configuration.kind as string} ${name}`;
    logger.info(client.dryRun ? `dry run: ${what} validated, not applied` : `applied ${what}`);
  }
}

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/**
 * Points the CRD's conversion webhook at this operator, with the CA bundle the API server must trust: at start and
 * whenever the CA bundle changes. A merge patch of `spec.conversion` only, sent as given (JSON).
 */
export async function patchConversionWebhook(
  client: KubeClient,
  endpoint: ConversionEndpoint,
  target: WebhookTarget,
  caBundle: string,
  logger: Logger,
): Promise<void> {
  await client.request('PATCH', `${CRD_PATH}/${endpoint.crd}`, {
    contentType: MERGE_PATCH,
    body: conversionPatch(endpoint.path, target, caBundle),
  });
  const through = describeTarget(endpoint.path, target);
  logger.info(
    client.dryRun
      ? `dry run: CustomResourceDefinition ${endpoint.crd} validated, not pointed at ${through}`
      : `CustomResourceDefinition ${endpoint.crd} converts through ${through}`,
  );
}

function describeTarget(path: string, target: WebhookTarget): string {
  if ('url' in target) return `${target.url.replace(/\/$/, '')}${path}`;
  const { namespace, name, port = 443 } = target.service;
  return `Service ${namespace}/${name}:${port}${path}`;
}
