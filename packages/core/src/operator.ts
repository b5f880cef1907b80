// An operator: handler classes described, flags parsed onto a runtime config, connected, CRDs checked, and a
// manager running one controller per resource.
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { type HandlerClass, handlerName } from '@kubeop/decorators';
import { type OperatorArgs, parseCommandLine, SEE_HELP, UsageError } from './cli.js';
import { describeHandlerClass, InvalidHandlerError, type ResourceDescription, watchesObjects } from './explorer.js';
import { type RuntimeConfig, runtimeConfigFromArgs } from './config.js';
import { ResourceController } from './internal/controller/controller.js';
import { LeaseElector } from './internal/leader/lease-elector.js';
import { validateLeaderElectionTimings } from './internal/leader/lease-record.js';
import { Manager } from './internal/manager/manager.js';
import { storageMigrationTasks } from './internal/migrate/migration-tasks.js';
import { UnauthorizedStreak } from './internal/manager/unauthorized-streak.js';
import { checkNamespaceExists } from './namespace-check.js';
import { Informers } from './internal/watch/informers.js';
import { type Metrics, NOOP_METRICS, OperatorMetrics } from './internal/metrics/metrics.js';
import { parseBindAddress } from './internal/serve/http-server.js';
import { startMetricsServer } from './internal/serve/metrics-server.js';
import { startProbeServer } from './internal/serve/probes.js';
import { parseLabelSelector } from './internal/webhook/label-selector.js';
import { parseWebhookService } from './internal/webhook/service-flag.js';
import { KubeClient } from './kube/client.js';
import { describeDryRunWrite, DryRun } from './kube/dry-run.js';
import { ClientNodeAccess, mentionsClientNode } from './kube/client-node.js';
import { loadKubeConfig } from './kube/config.js';
import type { TokenBucket } from './kube/rate-limiter.js';
import { ObjectClient } from './kube/object-client.js';
import { resolveOwnedTypes, ResourceSetup } from './resource-setup.js';
import { fullName } from './kube/resource.js';
import { createRootLogger, type Logger } from './logging.js';
import { detectTracing, flushTraces } from './internal/trace/tracer.js';
import { ResourceHandler } from './handler.js';
import { describeError } from './internal/util/describe-error.js';

export interface OperatorOptions {
  /** The handler classes, one per custom resource. */
  handlers: HandlerClass[];
  /** Command-line arguments without the program. Defaults to `process.argv.slice(2)`. */
  argv?: string[];
  /** Environment for flags and kubeconfig discovery. Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Program name in --help. Defaults to `operator`. */
  name?: string;
  /** Printed by --version. Defaults to `0.0.0`. */
  version?: string;
  /** Prefix of the environment variables that set flags. Defaults to `KUBEOP`. */
  envPrefix?: string;
  /** Where logs go. Defaults to stderr. */
  logStream?: Writable;
}

export type Prepared = { kind: 'exit'; output: string } | { kind: 'operator'; operator: Operator };

/** Reads the handler classes and the command line; throws InvalidHandlerError or UsageError. */
export function prepareOperator(options: OperatorOptions): Prepared {
  if (options.handlers.length === 0) throw new UsageError('bootstrap() needs at least one handler class');
  const descriptions = options.handlers.map(describeHandlerClass);
  assertOneClassPerResource(descriptions);
  const parsed = parseCommandLine(descriptions, {
    argv: options.argv ?? process.argv.slice(2),
    env: options.env,
    name: options.name,
    version: options.version,
    envPrefix: options.envPrefix,
  });
  if (parsed.kind === 'exit') return parsed;
  const args = parsed.args;
  for (const { resource } of descriptions) {
    if (resource.scope === 'Cluster' && args.namespace) {
      throw new UsageError(`--namespace cannot be used: ${fullName(resource)} is cluster-scoped`);
    }
  }
  assertLeaderElectionTimings(args);
  assertWebhookSelectors(descriptions);
  for (const [flag, address] of [
    ['--metrics-bind-address', args.metricsBindAddress],
    ['--health-probe-bind-address', args.healthProbeBindAddress],
    ['--webhook-bind-address', args.webhookBindAddress],
  ] as const) {
    try {
      parseBindAddress(address, flag);
    } catch (error) {
      throw new UsageError(`${describeError(error)}\n${SEE_HELP}`);
    }
  }
  try {
    parseWebhookService(args.webhookService);
  } catch (error) {
    throw new UsageError(`${describeError(error)}\nRun with --help to see the flags.`);
  }
  return { kind: 'operator', operator: new Operator(descriptions, args, options) };
}

function assertLeaderElectionTimings(args: OperatorArgs): void {
  const problem = validateLeaderElectionTimings(args);
  if (problem) throw new UsageError(`${problem}\n${SEE_HELP}`);
}

/** A webhook's objectSelector is the class's label selector: one the API's LabelSelector cannot hold fails now. */
function assertWebhookSelectors(descriptions: ResourceDescription[]): void {
  for (const { handlerClass, resource, webhooks } of descriptions) {
    if (!webhooks.length || !resource.labelSelector) continue;
    try {
      parseLabelSelector(resource.labelSelector);
    } catch (error) {
      throw new InvalidHandlerError(
        `labelSelector of ${handlerClass.name}, the objectSelector of its webhooks: ${describeError(error)}`,
      );
    }
  }
}

/** Two controllers on one resource would handle every object twice and fight over its status and finalizer. */
function assertOneClassPerResource(descriptions: ResourceDescription[]): void {
  const owners = new Map<string, ResourceDescription>();
  for (const description of descriptions) {
    // Versions of one group and plural are the same objects, served through one CRD.
    const name = fullName(description.resource);
    const owner = owners.get(name);
    if (owner) {
      const versions = [...new Set([owner.resource.version, description.resource.version])].join(' and ');
      throw new InvalidHandlerError(
        `${owner.handlerClass.name} and ${description.handlerClass.name} both handle ${name} (${versions}): ` +
          'bootstrap() takes one handler class per resource; put the handlers of both in one class',
      );
    }
    owners.set(name, description);
  }
}

export class Operator {
  readonly logger: Logger;
  readonly config: RuntimeConfig;
  private manager: Manager | undefined;
  private client: KubeClient | undefined;
  private stopping: Promise<boolean> | undefined;

  constructor(
    readonly resources: ResourceDescription[],
    readonly args: OperatorArgs,
    private readonly options: OperatorOptions,
  ) {
    this.logger = createRootLogger({ level: args.logLevel, format: args.logFormat, stream: options.logStream });
    this.config = runtimeConfigFromArgs(args, {
      name: options.name ?? 'kubeop',
      resources: resources.map((r) => fullName(r.resource)),
      inClusterNamespace: inClusterNamespace(),
    });
  }

  /** --kube-api-qps's token bucket, counted in metrics; a wait of over a second is logged, as client-go does. */
  private async rateLimiter(client: KubeClient, metrics: Metrics): Promise<TokenBucket> {
    // Loaded only when asked for: an operator without the flag carries none of it.
    const { TokenBucket } = await import('./kube/rate-limiter.js');
    const { qps, burst } = this.config.kubeApi;
    return new TokenBucket(qps, burst, (verb, seconds, waited) => {
      metrics.apiThrottle(verb, client.host, seconds, waited);
      if (seconds > 1)
        this.logger.debug(`a ${verb} request waited ${seconds.toFixed(1)}s for --kube-api-qps ${qps} (burst ${burst})`);
    });
  }

  /** Connects, checks or creates the CRDs and starts the manager; resolves without waiting for leadership. */
  async start(): Promise<void> {
    const { config } = this;
    // Traces are on when an OpenTelemetry SDK was registered before the start (README: Traces).
    await detectTracing();
    const kubeConfig = loadKubeConfig({
      kubeconfig: this.args.kubeconfig,
      context: this.args.context,
      env: this.options.env,
    });
    const client = new KubeClient(kubeConfig);
    this.client = client;
    const metrics: Metrics = parseBindAddress(config.metricsBindAddress, '--metrics-bind-address')
      ? new OperatorMetrics()
      : NOOP_METRICS;
    const unauthorized = new UnauthorizedStreak();
    client.requestObserver = ({ method, host, status, seconds }) => {
      metrics.apiRequest(method, host, status, seconds);
      unauthorized.observe(status);
    };
    if (config.kubeApi.qps > 0) client.rateLimiter = await this.rateLimiter(client, metrics);
    if (config.dryRun) {
      const written = metrics.dryRun();
      client.dryRun = new DryRun((write) => {
        written(write.verb);
        this.logger.info(describeDryRunWrite(write), { dryRun: true });
      });
      this.logger.info(
        'dry run: every write is sent with dryRun=All (validated, never stored) and logged as "dry run: would ..."; ' +
          'the leader election Lease alone is written',
      );
    }
    if (config.namespace) await checkNamespaceExists(client, config.namespace, '--namespace', this.logger);
    const setup = new ResourceSetup(client, config, this.logger);
    for (const { resource, versions } of this.resources) await setup.check(resource, versions);
    // client-node (about 90 MB of RSS) only for handlers that use this.crdApi or this.kubeConfig.
    const clientNode = new ClientNodeAccess(kubeConfig, client.dryRun);
    if (this.resources.some((r) => mentionsClientNode(r.handlerClass, ResourceHandler))) await clientNode.preload();
    const objects = new ObjectClient(client, { fieldManager: config.name });
    const owned = await resolveOwnedTypes(this.resources, objects);
    const informers = new Informers({
      client,
      logger: this.logger,
      timeoutSeconds: config.watch.timeoutSeconds,
      watchdogMs: config.watch.watchdogSeconds * 1000,
      metricsFor: (resource) => metrics.forWatch(resource),
    });
    const controllers = this.resources.flatMap((description, index) =>
      !watchesObjects(description)
        ? []
        : new ResourceController({
            description,
            namespace: config.namespace,
            informers,
            owned: owned[index]!,
            client,
            objects,
            clientNode,
            args: this.args,
            config,
            logger: this.logger,
            metrics: metrics.forController(fullName(description.resource), {
              maxConcurrent: config.maxConcurrent,
              handlers: [...Object.values(description.handlers), ...description.timers].map((record) =>
                handlerName(record),
              ),
              rateLimited: description.resource.rateLimit !== undefined,
            }),
          }),
    );
    const election = config.leaderElection;
    const elector =
      election &&
      new LeaseElector({
        client,
        namespace: election.namespace,
        name: election.leaseName,
        leaseDurationMs: election.leaseDurationSeconds * 1000,
        renewDeadlineMs: election.renewDeadlineSeconds * 1000,
        retryPeriodMs: election.retryPeriodSeconds * 1000,
        logger: this.logger,
      });
    const manager = new Manager({
      config,
      logger: this.logger,
      controllers,
      informers,
      elector,
      metrics,
      unauthorized,
      leaderTasks: storageMigrationTasks(this.resources, { client, config, logger: this.logger, metrics }),
    });
    this.manager = manager;
    // Servers first: a port clash ends the start before any object is handled.
    const metricsServer =
      metrics instanceof OperatorMetrics
        ? await startMetricsServer(config.metricsBindAddress, metrics.registry)
        : undefined;
    if (metricsServer) manager.addServer(metricsServer);
    const probeServer = await startProbeServer(config.healthProbeBindAddress, {
      healthz: () => manager.healthChecks(),
      readyz: () => manager.readyChecks(),
    }).catch(async (error: unknown) => {
      await metricsServer?.close();
      throw error;
    });
    if (probeServer) manager.addServer(probeServer);
    // Every replica serves admission and conversion, leader or not; /readyz fails until it does (registered before
    // the server starts).
    let webhookReady: () => true | string = () => 'the webhook server is starting';
    const servesWebhooks = this.resources.some((r) => r.webhooks.length || r.versions.length);
    if (servesWebhooks) manager.addReadyCheck({ name: 'webhook', check: () => webhookReady() });
    // The webhook server and its certificates (about 1.3 MB of RSS) are loaded only by an operator that serves them.
    const { startWebhooks } = servesWebhooks
      ? await import('./internal/webhook/start.js')
      : { startWebhooks: () => Promise.resolve(undefined) };
    const webhooks = await startWebhooks({
      name: config.name,
      resources: this.resources,
      args: this.args,
      client,
      objects,
      logger: this.logger,
      registry: metrics instanceof OperatorMetrics ? metrics.registry : undefined,
      inClusterNamespace: inClusterNamespace(),
    }).catch(async (error: unknown) => {
      await Promise.all([metricsServer?.close(), probeServer?.close()]);
      throw error;
    });
    webhookReady = webhooks ? () => webhooks.ready() : () => true;
    if (webhooks) manager.addServer(webhooks);
    if (metricsServer) this.logger.info(`serving metrics on http://${metricsServer.address}/metrics`);
    if (probeServer) this.logger.info(`serving probes on http://${probeServer.address}/healthz and /readyz`);
    manager.start();
    this.logger.info(
      `watching ${this.resources.map((r) => fullName(r.resource)).join(', ')} ${config.namespace ? `in namespace ${config.namespace}` : 'in all namespaces'}`,
    );
  }

  /** Rejects when the operator can no longer run (leadership lost): the process must exit non-zero. */
  get fatal(): Promise<never> {
    return this.manager?.fatal ?? new Promise<never>(() => undefined);
  }

  /** Resolves once every resource (and every owned type) has been listed once. */
  async synced(): Promise<void> {
    await Promise.all((this.manager?.controllers ?? []).flatMap((c) => c.watchers.map((watcher) => watcher.synced)));
  }

  /** Stops watching and lets running handlers finish within --shutdown-timeout; true if they all did. */
  stop(): Promise<boolean> {
    // Idempotent: a second call (a test stopping it early, then its teardown) waits for the first.
    return (this.stopping ??= this.stopOnce());
  }

  private async stopOnce(): Promise<boolean> {
    const drained = (await this.manager?.stop()) ?? true;
    await this.client?.close();
    // The last runs' spans go out before the process exits (bootstrap exits once stopped).
    await flushTraces();
    if (!drained)
      this.logger.warn(
        `handlers still running after --shutdown-timeout ${this.config.shutdownTimeoutSeconds} s were abandoned`,
      );
    this.logger.info('operator stopped');
    return drained;
  }

  get controllerStats(): Array<{
    resource: string;
    watcher: ResourceController['watcher']['stats'];
    handlers: ResourceController['stats'];
  }> {
    return (this.manager?.controllers ?? []).map((c, i) => ({
      resource: fullName(this.resources.filter(watchesObjects)[i]!.resource),
      watcher: c.watcher.stats,
      handlers: c.stats,
    }));
  }
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function inClusterNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
