// --install-webhooks: server-side applies the operator's two webhook configurations at start, and again whenever
// the CA bundle changes, so the API server always trusts the certificate being served.
import type { KubeClient } from '../../kube/client.js';
import type { Logger } from '../../logging.js';
import { ADMISSION_API_VERSION, type WebhookConfigurations } from './configurations.js';

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
    logger.info(`applied ${configuration.kind as string} ${name}`);
  }
}
