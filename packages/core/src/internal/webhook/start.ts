// Brings the admission webhooks up beside the manager's other servers: certificates (a mounted folder or
// self-managed), the HTTPS server, and with --install-webhooks the configurations, kept current on CA change.
import type { Registry } from 'prom-client';
import type { OperatorArgs } from '../../cli.js';
import type { ResourceDescription } from '../../explorer.js';
import type { KubeClient } from '../../kube/client.js';
import type { ObjectClient } from '../../kube/object-client.js';
import type { Logger } from '../../logging.js';
import { NOOP_WEBHOOK_METRICS, PrometheusWebhookMetrics } from '../metrics/webhook-metrics.js';
import { parseBindAddress } from '../serve/http-server.js';
import { type CertificateSource, certificatesFromDirectory, selfManagedCertificates } from './certificates/index.js';
import { configurationName, type WebhookTarget, webhookConfigurations } from './configurations.js';
import { applyWebhookConfigurations } from './registration.js';
import { startWebhookServer, WEBHOOK_FLAG } from './server.js';
import { webhookEndpoints } from './webhooks.js';

export interface WebhookStartOptions {
  name: string;
  resources: ResourceDescription[];
  args: OperatorArgs;
  client: KubeClient;
  objects: ObjectClient;
  logger: Logger;
  /** The metrics registry, when metrics are on. */
  registry: Registry | undefined;
  inClusterNamespace: string | undefined;
}

export interface RunningWebhooks {
  readonly address: string;
  ready(): true | string;
  close(): Promise<void>;
}

/** `--webhook-service NAMESPACE/NAME`, checked; throws an Error naming the flag. */
export function parseWebhookService(value: string | undefined): { namespace: string; name: string } | undefined {
  if (value === undefined) return undefined;
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z]([-a-z0-9]*[a-z0-9])?)$/.exec(value);
  if (!match)
    throw new Error(
      `--webhook-service ${JSON.stringify(value)}: expected NAMESPACE/NAME, e.g. operators/my-operator-webhook`,
    );
  return { namespace: match[1]!, name: match[3]! };
}

/** The operator's own namespace: the webhook Service's, the flag's, the service account's, else `default`. */
export function operatorNamespaceOf(args: OperatorArgs, inCluster: string | undefined): string {
  return parseWebhookService(args.webhookService)?.namespace ?? args.operatorNamespace ?? inCluster ?? 'default';
}

/** Undefined when no class declares a webhook or `--webhook-bind-address 0`. */
export async function startWebhooks(o: WebhookStartOptions): Promise<RunningWebhooks | undefined> {
  const { args, logger } = o;
  const endpoints = webhookEndpoints(o.resources);
  if (endpoints.length === 0) return undefined;
  if (!parseBindAddress(args.webhookBindAddress, WEBHOOK_FLAG)) {
    logger.warn(`${WEBHOOK_FLAG} is 0: the ${endpoints.length} admission webhook(s) are not served`);
    return undefined;
  }
  const service = parseWebhookService(args.webhookService);
  const namespace = operatorNamespaceOf(args, o.inClusterNamespace);
  const name = configurationName(o.name);
  const certificates: CertificateSource = args.webhookCertDir
    ? certificatesFromDirectory({ dir: args.webhookCertDir, logger })
    : selfManagedCertificates({
        client: o.client,
        namespace,
        secretName: `${name}-webhook-tls`,
        dnsNames: [
          ...(service
            ? [`${service.name}.${service.namespace}.svc`, `${service.name}.${service.namespace}.svc.cluster.local`]
            : []),
          'localhost',
        ],
        ipAddresses: ['127.0.0.1'],
        caLifetimeSeconds: args.webhookCaLifetime || undefined,
        servingLifetimeSeconds: args.webhookCertLifetime || undefined,
        logger,
      });
  await certificates.start();
  const metrics = o.registry
    ? new PrometheusWebhookMetrics(
        o.registry,
        endpoints.map((e) => e.path),
      )
    : NOOP_WEBHOOK_METRICS;
  const server = await startWebhookServer({
    address: args.webhookBindAddress,
    endpoints,
    certificates,
    deps: { client: o.objects, logger, args },
    metrics,
    logger,
  }).catch(async (error: unknown) => {
    await certificates.stop();
    throw error;
  });
  logger.info(`serving ${endpoints.length} admission webhook(s) on https://${server.address}`);
  let unsubscribe = () => {};
  if (args.installWebhooks) {
    const target: WebhookTarget = service ? { service } : { url: `https://127.0.0.1:${server.port}` };
    const install = () =>
      applyWebhookConfigurations(
        o.client,
        webhookConfigurations({
          name: o.name,
          resources: o.resources,
          operatorNamespace: namespace,
          watchNamespace: args.namespace,
          target,
          caBundle: certificates.caBundle(),
        }),
        o.name,
        logger,
      );
    try {
      await install();
    } catch (error) {
      await server.close();
      await certificates.stop();
      throw new Error(`--install-webhooks: ${(error as Error).message}`, { cause: error });
    }
    unsubscribe = certificates.onChange(() => {
      install().catch((error: unknown) =>
        logger.error(`could not update the webhook configurations' CA bundle: ${(error as Error).message}`),
      );
    });
  }
  return {
    address: server.address,
    ready: () => server.ready(),
    async close() {
      unsubscribe();
      await server.close();
      await certificates.stop();
    },
  };
}
