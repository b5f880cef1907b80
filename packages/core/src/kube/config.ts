// Loads a kubeconfig the way kubectl does (files, KUBECONFIG merged, contexts, in-cluster), without client-node,
// and says what is missing instead of falling back to localhost:8080.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeopError } from '../errors.js';
import { KubeConfigFormatError, LoadedKubeConfig, parseKubeConfig } from './kubeconfig.js';

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
  /** Where the pod's service account is mounted; for tests. */
  serviceAccountDir?: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function loadKubeConfig(source: KubeConfigSource = {}): LoadedKubeConfig {
  const env = source.env ?? process.env;
  const files = source.kubeconfig ? [source.kubeconfig] : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const defaultFile = join(env.HOME ?? homedir(), '.kube', 'config');
  const origin = source.kubeconfig ? '--kubeconfig' : files.length ? 'KUBECONFIG' : 'the default location';
  const serviceAccount = source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  let loaded: string[] = [];
  let kubeConfig: LoadedKubeConfig;
  if (files.length > 0) {
    const missing = files.filter((file) => !existsSync(file));
    if (missing.length === files.length) {
      throw new KubeConfigError(`The kubeconfig file ${missing.join(', ')} (from ${origin}) does not exist.`);
    }
    loaded = files.filter((f) => existsSync(f));
  } else if (existsSync(defaultFile)) {
    loaded = [defaultFile];
  }
  if (loaded.length > 0) {
    kubeConfig = new LoadedKubeConfig();
    for (const file of loaded) kubeConfig.merge(readFile(file, origin));
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(join(serviceAccount, 'token'))) {
    kubeConfig = inClusterConfig(env, serviceAccount);
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
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  if (!context || !kubeConfig.getCurrentCluster()) {
    const where = loaded.length ? ` ${loaded.join(', ')} (from ${origin})` : '';
    const problem = context
      ? `: its context "${context.name}" names the cluster "${context.cluster}", which it does not define`
      : ' has no current context with a cluster';
    throw new KubeConfigError(`The kubeconfig${where}${problem}; set current-context in it or pass --context NAME.`);
  }
  return kubeConfig;
}

function readFile(file: string, origin: string): LoadedKubeConfig {
  const unusable = (reason: string, cause?: unknown) =>
    new KubeConfigError(
      `The kubeconfig file ${file} (from ${origin}) cannot be used: ${reason}. Fix it, or pass another with --kubeconfig.`,
      { cause },
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw unusable((error as Error).message, error);
  }
  if (text.trim() === '') throw unusable('it is empty');
  try {
    return parseKubeConfig(text, file);
  } catch (error) {
    if (error instanceof KubeConfigFormatError) throw unusable(error.message, error);
    throw error;
  }
}

/** The pod's service account, as client-go's InClusterConfig: the token file is read again as the kubelet rotates it. */
function inClusterConfig(env: NodeJS.ProcessEnv, dir: string): LoadedKubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  let namespace: string | undefined;
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    namespace = undefined;
  }
  return new LoadedKubeConfig(
    [{ name: 'inCluster', server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } }],
    [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace }],
    'inClusterContext',
  );
}
