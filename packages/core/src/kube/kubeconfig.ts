// kubeop's own kubeconfig model: one file's YAML parsed into clusters, users and contexts, merged as kubectl merges them.
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import type * as JsYaml from 'js-yaml';

/** js-yaml, loaded when a kubeconfig file is first read: in a pod there is none (about 1.4 MB of RSS saved). */
let yaml: typeof JsYaml | undefined;
const loadYaml = (text: string): unknown =>
  (yaml ??= createRequire(import.meta.url)('js-yaml') as typeof JsYaml).load(text);

/** A cluster entry; the field names are client-node's, so a client-node `KubeConfig` can be built from these. */
export interface Cluster {
  readonly name: string;
  /** Without a trailing slash. */
  readonly server: string;
  readonly caData?: string;
  readonly caFile?: string;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
}

/** A user entry (client-node's field names); a `token-file` is read as the auth provider `tokenFile`, as in-cluster. */
export interface User {
  readonly name: string;
  readonly token?: string;
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly impersonateUser?: string;
  /** `auth-provider`: `{ name, config }` (oidc, tokenFile, azure, gcp, ...). */
  readonly authProvider?: unknown;
  /** The exec plugin's settings as written (`command`, `args`, `env`, `apiVersion`, ...). */
  readonly exec?: unknown;
}

export interface Context {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
}

/**
 * What the transport reads from a kubeconfig. kubeop's `LoadedKubeConfig` has it, and so has client-node's
 * `KubeConfig`, which `KubeClient` therefore takes as well.
 */
export interface KubeConfigLike {
  getCurrentCluster(): Cluster | null;
  getCurrentUser(): User | null;
}

/** The contents of kubeconfig files; what the kubeconfig's current context names is read through the getters. */
export class LoadedKubeConfig implements KubeConfigLike {
  constructor(
    readonly clusters: Cluster[] = [],
    readonly users: User[] = [],
    readonly contexts: Context[] = [],
    public currentContext = '',
  ) {}

  getCurrentContext(): string {
    return this.currentContext;
  }
  setCurrentContext(name: string): void {
    this.currentContext = name;
  }
  getContexts(): Context[] {
    return this.contexts;
  }
  getContextObject(name: string): Context | null {
    return this.contexts.find((context) => context.name === name) ?? null;
  }
  getCurrentCluster(): Cluster | null {
    const context = this.getContextObject(this.currentContext);
    return (context && this.clusters.find((cluster) => cluster.name === context.cluster)) ?? null;
  }
  getCurrentUser(): User | null {
    const context = this.getContextObject(this.currentContext);
    return (context && this.users.find((user) => user.name === context.user)) ?? null;
  }

  /** kubectl's rule for several files: the first to name a cluster, user or context, or a current context, wins. */
  merge(other: LoadedKubeConfig): void {
    const add = <T extends { name: string }>(into: T[], from: T[]) => {
      for (const entry of from) if (!into.some((known) => known.name === entry.name)) into.push(entry);
    };
    add(this.clusters, other.clusters);
    add(this.users, other.users);
    add(this.contexts, other.contexts);
    this.currentContext ||= other.currentContext;
  }
}

/** A kubeconfig file that cannot be read as one; the message names the entry (`users[1].name is missing`). */
export class KubeConfigFormatError extends Error {
  override readonly name = 'KubeConfigFormatError';
}

type Entry = Record<string, unknown>;

/**
 * Parses one kubeconfig file's text. Relative paths (certificate files, token files, an exec command with a
 * slash) are resolved against `file`'s folder, as kubectl does.
 */
export function parseKubeConfig(text: string, file?: string): LoadedKubeConfig {
  if (text.trim() === '') throw new KubeConfigFormatError('it is empty');
  let document: unknown;
  try {
    document = loadYaml(text);
  } catch (error) {
    throw new KubeConfigFormatError(`it is not YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  if (document === null || document === undefined) throw new KubeConfigFormatError('it is empty');
  if (typeof document !== 'object' || Array.isArray(document)) throw new KubeConfigFormatError('it is not a mapping');
  const root = document as Entry;
  const folder = file ? dirname(file) : undefined;
  const path = (value: unknown) => {
    const text = optionalString(value);
    return text && folder && !isAbsolute(text) ? join(folder, text) : text;
  };
  const clusters = entries(root, 'clusters', 'cluster', (name, cluster, where): Cluster => {
    const server = optionalString(cluster.server);
    if (!server) throw new KubeConfigFormatError(`${where}.cluster.server is missing`);
    return {
      name,
      server: server.replace(/\/$/, ''),
      caData: optionalString(cluster['certificate-authority-data']),
      caFile: path(cluster['certificate-authority']),
      skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
      tlsServerName: optionalString(cluster['tls-server-name']),
      proxyUrl: optionalString(cluster['proxy-url']),
    };
  });
  const users = entries(root, 'users', 'user', (name, user): User => {
    const tokenFile = path(user['token-file']);
    let authProvider = user['auth-provider'];
    if (tokenFile && !authProvider) authProvider = { name: 'tokenFile', config: { tokenFile } };
    return {
      name,
      token: optionalString(user.token),
      certData: optionalString(user['client-certificate-data']),
      certFile: path(user['client-certificate']),
      keyData: optionalString(user['client-key-data']),
      keyFile: path(user['client-key']),
      username: optionalString(user.username),
      password: optionalString(user.password),
      impersonateUser: optionalString(user.as),
      authProvider,
      exec: execWithPath(user.exec, folder),
    };
  });
  const contexts = entries(root, 'contexts', 'context', (name, context, where): Context => {
    const cluster = optionalString(context.cluster);
    if (!cluster) throw new KubeConfigFormatError(`${where}.context.cluster is missing`);
    return {
      name,
      cluster,
      user: optionalString(context.user) ?? '',
      namespace: optionalString(context.namespace),
    };
  });
  return new LoadedKubeConfig(clusters, users, contexts, optionalString(root['current-context']) ?? '');
}

/** The named entries of a list (`clusters: [{name, cluster: {...}}]`); a user may have no `user` mapping at all. */
function entries<T>(
  root: Entry,
  list: string,
  field: string,
  make: (name: string, body: Entry, where: string) => T,
): T[] {
  const items = root[list];
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) throw new KubeConfigFormatError(`${list} is not a list`);
  return items.map((item: unknown, index) => {
    const where = `${list}[${index}]`;
    if (typeof item !== 'object' || item === null) throw new KubeConfigFormatError(`${where} is not a mapping`);
    const name = optionalString((item as Entry).name);
    if (!name) throw new KubeConfigFormatError(`${where}.name is missing`);
    const body = (item as Entry)[field];
    if (body === undefined || body === null) {
      if (field !== 'user') throw new KubeConfigFormatError(`${where}.${field} is missing`);
      return make(name, {}, where);
    }
    if (typeof body !== 'object') throw new KubeConfigFormatError(`${where}.${field} is not a mapping`);
    return make(name, body as Entry, where);
  });
}

/** client-go resolves an exec command given as a relative path (one with a slash) against the kubeconfig's folder. */
function execWithPath(exec: unknown, folder: string | undefined): unknown {
  if (!exec || typeof exec !== 'object' || !folder) return exec ?? undefined;
  const command = (exec as Entry).command;
  if (typeof command !== 'string' || isAbsolute(command) || !command.includes('/')) return exec;
  return { ...(exec as Entry), command: join(folder, command) };
}

function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : String(value);
}
