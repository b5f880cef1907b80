// Brings the webhooks up beside the manager's other servers: certificates (a mounted folder or self-managed), the
// HTTPS server (admission and conversion), and the registrations kept current on CA change: with --install-webhooks
// the admission configurations, and the CRDs' conversion webhooks when the operator owns its CRDs.
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
import { conversionEndpoints } from './conversion.js';
import { applyWebhookConfigurations, patchConversionWebhook } from './registration.js';
import { startWebhookServer, WEBHOOK_FLAG } from './server.js';
import { webhookEndpoints } from './webhooks.js';
import { describeError } from '../util/describe-error.js';
import { keepTrying } from './keep-trying.js';
import { parseWebhookService } from './service-flag.js';

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

/** The operator's own namespace: the webhook Service's, the flag's, the service account's, else `default`. */
export function operatorNamespaceOf(args: OperatorArgs, inCluster: string | undefined): string {
  return parseWebhookService(args.webhookService)?.namespace ?? args.operatorNamespace ?? inCluster ?? 'default';
}

/**
 * The CRDs' conversion webhooks are the operator's to point at itself when it owns its CRDs: it installs them
 * (--create-crd, --update-crd) or its webhook registrations (--install-webhooks). Otherwise whoever installs the CRD
 * sets its clientConfig (`kubeop manifests` writes a Service-based one).
 */
export function managesConversionConfig(args: OperatorArgs): boolean {
  return args.installWebhooks || args.createCrd || args.updateCrd;
}

/** The Secret is read every 10 s unless shortened lifetimes need it read more often (the module's checks). */
const POLL_SECONDS = 10;
const DEFAULT_SERVING_SECONDS = 90 * 86_400;
const DEFAULT_PROPAGATION_SECONDS = 300;
const TIMING_FLAGS: Array<[string, string]> = [
  ['caLifetimeSeconds', '--webhook-ca-lifetime'],
  ['servingLifetimeSeconds', '--webhook-cert-lifetime'],
  ['caPropagationSeconds', '--webhook-ca-propagation'],
  ['pollIntervalSeconds', 'the Secret poll interval'],
];

/**
 * The test flags' lifetimes; the poll interval follows them (a tenth of a serving lifetime, a quarter of the CA
 * propagation, at most 10 s), so shortened lifetimes need no flag of their own for it.
 */
function selfManagedTimings(args: OperatorArgs) {
  const serving = args.webhookCertLifetime || DEFAULT_SERVING_SECONDS;
  const propagation = args.webhookCaPropagation || DEFAULT_PROPAGATION_SECONDS;
  return {
    caLifetimeSeconds: args.webhookCaLifetime || undefined,
    servingLifetimeSeconds: args.webhookCertLifetime || undefined,
    caPropagationSeconds: args.webhookCaPropagation || undefined,
    pollIntervalSeconds: Math.min(POLL_SECONDS, serving / 10, propagation / 4),
  };
}

/** The certificate module's option checks, worded with the flags that set the options. */
function withFlagNames(error: unknown): Error {
  let message = error instanceof Error ? error.message : String(error);
  for (const [option, flag] of TIMING_FLAGS) message = message.replaceAll(option, flag);
  return new Error(message, { cause: error });
}

/** Self-managed certificates; a refused option is named by its flag. */
function selfManagedSource(options: Parameters<typeof selfManagedCertificates>[0]): CertificateSource {
  try {
    return selfManagedCertificates(options);
  } catch (error) {
    throw withFlagNames(error);
  }
}

/** Undefined when no class declares a webhook or serves other versions, or with `--webhook-bind-address 0`. */
export async function startWebhooks(o: WebhookStartOptions): Promise<RunningWebhooks | undefined> {
  const { args, logger } = o;
  const endpoints = webhookEndpoints(o.resources);
  const conversions = conversionEndpoints(o.resources);
  if (endpoints.length === 0 && conversions.length === 0) return undefined;
  const what = [
    ...(endpoints.length ? [`${endpoints.length} admission webhook(s)`] : []),
    ...(conversions.length ? [`the conversion of ${conversions.map((c) => c.crd).join(', ')}`] : []),
  ].join(' and ');
  if (!parseBindAddress(args.webhookBindAddress, WEBHOOK_FLAG)) {
    logger.warn(`${WEBHOOK_FLAG} is 0: ${what} not served`);
    return undefined;
  }
  const service = parseWebhookService(args.webhookService);
  const namespace = operatorNamespaceOf(args, o.inClusterNamespace);
  const name = configurationName(o.name);
  const certificates: CertificateSource = args.webhookCertDir
    ? certificatesFromDirectory({ dir: args.webhookCertDir, logger })
    : selfManagedSource({
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
        ...selfManagedTimings(args),
        logger,
      });
  await certificates.start();
  const metrics = o.registry
    ? new PrometheusWebhookMetrics(
        o.registry,
        [...endpoints, ...conversions].map((e) => e.path),
      )
    : NOOP_WEBHOOK_METRICS;
  const server = await startWebhookServer({
    address: args.webhookBindAddress,
    endpoints,
    conversions,
    certificates,
    deps: { client: o.objects, logger, args },
    metrics,
    logger,
  }).catch(async (error: unknown) => {
    await certificates.stop();
    throw error;
  });
  logger.info(`serving ${what} on https://${server.address}`);
  const target: WebhookTarget = service ? { service } : { url: `https://127.0.0.1:${server.port}` };
  const registrations: Array<{ flag: string; what: string; run: () => Promise<void> }> = [];
  if (args.installWebhooks && endpoints.length)
    registrations.push({
      flag: '--install-webhooks',
      what: "the webhook configurations' CA bundle",
      run: () =>
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
        ),
    });
  if (managesConversionConfig(args))
    for (const conversion of conversions)
      registrations.push({
        flag: args.installWebhooks ? '--install-webhooks' : args.updateCrd ? '--update-crd' : '--create-crd',
        what: `the conversion webhook of CustomResourceDefinition ${conversion.crd}`,
        run: () => patchConversionWebhook(o.client, conversion, target, certificates.caBundle(), logger),
      });
  else if (conversions.length)
    logger.info(
      `not pointing the conversion webhook of ${conversions.map((c) => c.crd).join(', ')} at this operator: ` +
        'it does not own its CRDs (no --create-crd, --update-crd or --install-webhooks); the CRD must name the ' +
        `webhook Service with path /convert/<plural>.<group> (kubeop manifests writes it)`,
    );
  for (const registration of registrations) {
    try {
      await registration.run();
    } catch (error) {
      await server.close();
      await certificates.stop();
      throw new Error(`${registration.flag}: ${describeError(error)}`, { cause: error });
    }
  }
  // On every certificate change (a renewal, a CA rotation), so the API server keeps trusting what is served.
  // A failed update is retried with backoff: waiting for the next certificate change could leave the API server
  // trusting a CA that no longer signs what is served.
  const updates = registrations.map((registration) =>
    keepTrying(registration.run, (error, retryInMs) =>
      logger.error(
        `could not update ${registration.what}: ${describeError(error)}; trying again in ${Math.ceil(retryInMs / 1000)} s`,
      ),
    ),
  );
  const unsubscribe = registrations.length
    ? certificates.onChange(() => updates.forEach((update) => update.trigger()))
    : () => {};
  return {
    address: server.address,
    ready: () => server.ready(),
    async close() {
      unsubscribe();
      updates.forEach((update) => update.stop());
      await server.close();
      await certificates.stop();
    },
  };
}
