// An operator: handler classes described, flags parsed, connected, CRDs checked, one controller per resource.
import type { Writable } from 'node:stream';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { HandlerClass } from '@kubeop/decorators';
import { type OperatorArgs, parseCommandLine, UsageError } from './cli.js';
import { describeHandlerClass, InvalidHandlerError, type ResourceDescription } from './explorer.js';
import { ResourceController } from './internal/controller.js';
import { StatusSubresourceMissingError } from './internal/status-errors.js';
import { KubeClient } from './kube/client.js';
import { loadKubeConfig } from './kube/config.js';
import { assertResourceServed, ensureCrd, hasStatusSubresource } from './kube/crd.js';
import { fullName } from './kube/resource.js';
import { createRootLogger, type Logger } from './logging.js';

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
  return { kind: 'operator', operator: new Operator(descriptions, args, options) };
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
  private controllers: ResourceController[] = [];
  private client: KubeClient | undefined;

  constructor(
    readonly resources: ResourceDescription[],
    readonly args: OperatorArgs,
    private readonly options: OperatorOptions,
  ) {
    this.logger = createRootLogger({ level: args.logLevel, format: args.logFormat, stream: options.logStream });
  }

  /** Connects, checks or creates the CRDs and starts watching; resolves once every watch is started. */
  async start(): Promise<void> {
    const kubeConfig = loadKubeConfig({ kubeconfig: this.args.kubeconfig, context: this.args.context, env: this.options.env });
    const client = new KubeClient(kubeConfig);
    this.client = client;
    const namespace = this.args.namespace;
    for (const { resource } of this.resources) {
      if (this.args.createCrd) {
        const outcome = await ensureCrd(client, resource);
        this.logger.info(`CustomResourceDefinition ${fullName(resource)} ${outcome === 'created' ? 'created' : 'already exists'}`);
      } else {
        const denied = await assertResourceServed(client, resource, namespace);
        if (denied) this.logger.warn(`cannot check ${fullName(resource)} yet: ${denied.serverMessage ?? denied.message}; watching anyway, retrying until allowed`);
      }
      if ((await hasStatusSubresource(client, resource)) === false) this.logger.error(new StatusSubresourceMissingError(fullName(resource)).message);
    }
    const crdApi = kubeConfig.makeApiClient(CustomObjectsApi);
    this.controllers = this.resources.map(
      (description) =>
        new ResourceController({
          description,
          namespace,
          client,
          kubeConfig,
          crdApi,
          args: this.args,
          logger: this.logger,
          component: this.options.name ?? 'kubeop',
        }),
    );
    for (const controller of this.controllers) controller.start();
    this.logger.info(
      `watching ${this.resources.map((r) => fullName(r.resource)).join(', ')} ${namespace ? `in namespace ${namespace}` : 'in all namespaces'}`,
    );
  }

  /** Resolves once every resource has been listed once. */
  async synced(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.watcher.synced));
  }

  /** Stops watching and lets running handlers finish within --shutdown-timeout; true if they all did. */
  async stop(): Promise<boolean> {
    const timeoutMs = this.args.shutdownTimeout * 1000;
    const results = await Promise.all(this.controllers.map((c) => c.stop(timeoutMs)));
    await this.client?.close();
    const drained = results.every(Boolean);
    if (!drained) this.logger.warn(`handlers still running after --shutdown-timeout ${this.args.shutdownTimeout} s were abandoned`);
    this.logger.info('operator stopped');
    return drained;
  }

  get controllerStats(): Array<{ resource: string; watcher: ResourceController['watcher']['stats']; handlers: ResourceController['stats'] }> {
    return this.controllers.map((c, i) => ({ resource: fullName(this.resources[i]!.resource), watcher: c.watcher.stats, handlers: c.stats }));
  }
}

