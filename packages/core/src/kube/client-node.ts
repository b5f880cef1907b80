// @kubernetes/client-node, loaded only when something asks for it (this.crdApi, this.kubeConfig, an auth provider only
// it knows): importing it costs a process about 90 MB of RSS, which an operator that never uses it should not pay.
import { createRequire } from 'node:module';
import type * as ClientNodeModule from '@kubernetes/client-node';
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type DryRun, isWrite, summarizeBody } from './dry-run.js';
import type { KubeConfigLike, LoadedKubeConfig } from './kubeconfig.js';

type ClientNode = typeof ClientNodeModule;

let loaded: ClientNode | undefined;

/** Imports client-node once; later synchronous uses then find it loaded. */
export async function loadClientNode(): Promise<ClientNode> {
  loaded ??= await import('@kubernetes/client-node');
  return loaded;
}

/**
 * client-node, synchronously: a getter cannot await. require() of an ES module without top-level await works on
 * the Node.js versions kubeop supports (>= 22.12); the operator pre-loads it when a handler class mentions
 * `crdApi` or `kubeConfig`, so this is the path only of uses it could not see (and of tests that skip start()).
 */
export function clientNodeNow(): ClientNode {
  loaded ??= createRequire(import.meta.url)('@kubernetes/client-node') as ClientNode;
  return loaded;
}

/** A client-node KubeConfig with the same clusters, users and contexts; one given as such is used as it is. */
export function toClientNodeKubeConfig(clientNode: ClientNode, config: KubeConfigLike): KubeConfig {
  if (typeof (config as Partial<KubeConfig>).makeApiClient === 'function') return config as KubeConfig;
  const kubeConfig = new clientNode.KubeConfig();
  const data = config as Partial<LoadedKubeConfig>;
  if (data.clusters && data.users && data.contexts) {
    kubeConfig.loadFromOptions({
      clusters: data.clusters,
      users: data.users,
      contexts: data.contexts,
      currentContext: data.currentContext,
    });
  } else {
    const cluster = config.getCurrentCluster();
    if (cluster) kubeConfig.loadFromClusterAndUser(cluster, config.getCurrentUser() ?? { name: 'user' });
  }
  return kubeConfig;
}

/** What handlers get as `this.kubeConfig` and `this.crdApi`: built on first read, then shared by every run. */
export class ClientNodeAccess {
  private kubeConfig_: KubeConfig | undefined;
  private crdApi_: CustomObjectsApi | undefined;

  /** `dryRun`: the operator's `--dry-run`, which `crdApi` follows as kubeop's own client does. */
  constructor(
    private readonly config: KubeConfigLike,
    private readonly dryRun?: DryRun,
  ) {}

  /** Loads client-node ahead of the first read, so that no handler run waits for it. */
  async preload(): Promise<void> {
    await loadClientNode();
  }

  get kubeConfig(): KubeConfig {
    this.kubeConfig_ ??= toClientNodeKubeConfig(clientNodeNow(), this.config);
    return this.kubeConfig_;
  }

  get crdApi(): CustomObjectsApi {
    this.crdApi_ ??= this.dryRun
      ? dryRunCrdApi(clientNodeNow(), this.kubeConfig, this.dryRun)
      : this.kubeConfig.makeApiClient(clientNodeNow().CustomObjectsApi);
    return this.crdApi_;
  }
}

/** A CustomObjectsApi whose writes go with `dryRun=All`, reported as they are sent (makeApiClient's, plus a middleware). */
function dryRunCrdApi(clientNode: ClientNode, kubeConfig: KubeConfig, dryRun: DryRun): CustomObjectsApi {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('The kubeconfig has no current cluster');
  const configuration = clientNode.createConfiguration({
    baseServer: new clientNode.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    promiseMiddleware: [
      {
        pre: (request) => {
          const verb = request.getHttpMethod();
          if (isWrite(verb)) {
            request.setQueryParam('dryRun', 'All');
            const path = new URL(request.getUrl()).pathname;
            dryRun.report({ verb, path, body: summarizeBody(request.getBody(), path) });
          }
          return Promise.resolve(request);
        },
        post: (response) => Promise.resolve(response),
      },
    ],
  });
  return new clientNode.CustomObjectsApi(configuration);
}

/**
 * Whether a handler class's code, or a base class's below `base` (ResourceHandler, whose comments mention both),
 * reads `crdApi` or `kubeConfig`.
 */
export function mentionsClientNode(handlerClass: object, base: object): boolean {
  for (let current: unknown = handlerClass; typeof current === 'function'; current = Object.getPrototypeOf(current)) {
    if (current === base || current === Function.prototype) break;
    if (/\b(crdApi|kubeConfig)\b/.test(Function.prototype.toString.call(current))) return true;
  }
  return false;
}
