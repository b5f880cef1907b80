// Loads a KubeConfig the way kubectl does, and says what is missing instead of falling back to localhost:8080.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
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
  if (files.length > 0) {
    const missing = files.filter((file) => !existsSync(file));
    if (missing.length === files.length) {
      const origin = source.kubeconfig ? '--kubeconfig' : 'KUBECONFIG';
      throw new KubeConfigError(`The kubeconfig file ${missing.join(', ')} (from ${origin}) does not exist.`);
    }
    for (const file of files.filter((f) => existsSync(f))) mergeFile(kubeConfig, file);
  } else if (existsSync(join(env.HOME ?? homedir(), '.kube', 'config'))) {
    kubeConfig.loadFromFile(join(env.HOME ?? homedir(), '.kube', 'config'));
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
  } else {
    throw new KubeConfigError(
      'No Kubernetes configuration found: KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod ' +
        'with a service account. Pass --kubeconfig PATH, set KUBECONFIG, or run the operator inside the cluster.',
    );
  }
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
    throw new KubeConfigError('The kubeconfig has no current context with a cluster; pass --context NAME.');
  }
  return kubeConfig;
}

function mergeFile(into: KubeConfig, file: string): void {
  if (into.clusters.length === 0 && into.contexts.length === 0) {
    into.loadFromFile(file);
    return;
  }
  const other = new KubeConfig();
  other.loadFromFile(file);
  into.mergeConfig(other, true);
}
