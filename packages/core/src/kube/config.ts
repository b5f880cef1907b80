// Loads a KubeConfig the way kubectl does, and says what is missing instead of falling back to localhost:8080.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeopError } from '../errors.js';

export class KubeConfigError extends KubeopError {
  override readonly name = 'KubeConfigError';
  readonly code = 'KUBECONFIG_INVALID';
}

export interface KubeConfigSource {
  /** `--kubeconfig`; wins over `KUBECONFIG`. */
  kubeconfig?: string;
  /** `--context`; defaults to the file's current context. */
  context?: string;
  env?: NodeJS.ProcessEnv;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const env = source.env ?? process.env;
  const kubeConfig = new KubeConfig();
  const files = source.kubeconfig ? [source.kubeconfig] : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const defaultFile = join(env.HOME ?? homedir(), '.kube', 'config');
  const origin = source.kubeconfig ? '--kubeconfig' : files.length ? 'KUBECONFIG' : 'the default location';
  let loaded: string[] = [];
  if (files.length > 0) {
    const missing = files.filter((file) => !existsSync(file));
    if (missing.length === files.length) {
      throw new KubeConfigError(`The kubeconfig file ${missing.join(', ')} (from ${origin}) does not exist.`);
    }
    loaded = files.filter((f) => existsSync(f));
  } else if (existsSync(defaultFile)) {
    loaded = [defaultFile];
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
  } else {
    throw new KubeConfigError(
      'No Kubernetes configuration found: KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod ' +
        'with a service account. Pass --kubeconfig PATH, set KUBECONFIG, or run the operator inside the cluster.',
    );
  }
  for (const file of loaded) mergeFile(kubeConfig, file, origin);
  if (source.context) {
    if (!kubeConfig.getContextObject(source.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new KubeConfigError(
        `The context "${source.context}" is not in the kubeconfig; known contexts: ${known.join(', ') || 'none'}.`,
      );
    }
    kubeConfig.setCurrentContext(source.context);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!kubeConfig.getCurrentContext() || !cluster) {
    const where = loaded.length ? ` ${loaded.join(', ')} (from ${origin})` : '';
    throw new KubeConfigError(
      `The kubeconfig${where} has no current context with a cluster; set current-context in it or pass --context NAME.`,
    );
  }
  return kubeConfig;
}

function mergeFile(into: KubeConfig, file: string, origin: string): void {
  const unusable = (reason: string, cause?: unknown) =>
    new KubeConfigError(
      `The kubeconfig file ${file} (from ${origin}) cannot be used: ${reason}. Fix it, or pass another with --kubeconfig.`,
      { cause },
    );
  const other = new KubeConfig();
  try {
    if (readFileSync(file, 'utf8').trim() === '') throw unusable('it is empty');
    other.loadFromFile(file);
  } catch (error) {
    if (error instanceof KubeConfigError) throw error;
    // client-node's own errors ("expected a document", "clusters[0].cluster is missing") do not say which file.
    throw unusable((error as Error).message.split('\n')[0]!, error);
  }
  if (into.clusters.length === 0 && into.contexts.length === 0) into.loadFromOptions(other);
  else into.mergeConfig(other, true);
}
