// The credential sources of a kubeconfig user (tokens, token files, exec plugins, OIDC, client certificates), each
// credential cached for its lifetime or until a 401, and the transport that carries it.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadClientNode, toClientNodeKubeConfig } from './client-node.js';
import { KubeConfigError } from './config.js';
import { KubeCredentialError } from './errors.js';
import type { Cluster, KubeConfigLike, User } from './kubeconfig.js';
import { Transport } from './transport.js';

/** What a credential source yields. */
export interface FetchedCredential {
  /** The Authorization header, if the source gives one. */
  authorization?: string;
  /** A client certificate and key (PEM) given by an exec plugin. */
  cert?: string;
  key?: string;
  /** When it expires (epoch ms); undefined: never, until a 401 says otherwise. */
  expiresAt?: number;
  /** Whether asking again may give another credential, so that a 401 is worth one retry. */
  renewable: boolean;
}

/** A credential ready to use: the headers of a request and the connections that carry it. */
export interface Credential {
  readonly headers: Readonly<Record<string, string>>;
  readonly transport: Transport;
  readonly expiresAt?: number;
  readonly renewable: boolean;
}

/** A credential expiring within this margin is fetched again (at most half its lifetime early), as client-go's oauth2 does. */
const EXPIRY_MARGIN_MS = 10_000;
/** client-node and client-go read a token file again after a minute (the kubelet rotates projected tokens). */
const TOKEN_FILE_LIFETIME_MS = 60_000;

/**
 * Caches one credential for its lifetime. Concurrent callers share one fetch; a failed fetch is not cached.
 * `invalidate` after a 401 drops the credential that was refused (unless a newer one replaced it already).
 */
export class CredentialCache<T extends { expiresAt?: number; renewable: boolean }> {
  private cached: { credential: T; refreshAt: number } | undefined;
  private pending: Promise<T> | undefined;
  /** How many times the source was asked: what the cache saves is visible in tests. */
  fetches = 0;

  constructor(
    private readonly fetch: () => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.cached && this.now() < this.cached.refreshAt) return Promise.resolve(this.cached.credential);
    this.pending ??= this.refresh();
    return this.pending;
  }

  /** A request made with `used` got a 401: drop it. Returns whether asking again may help (a retry is then worth it). */
  invalidate(used: T): boolean {
    if (!used.renewable) return false;
    if (this.cached?.credential === used) this.cached = undefined;
    return true;
  }

  private async refresh(): Promise<T> {
    this.fetches++;
    try {
      const credential = await this.fetch();
      const fetchedAt = this.now();
      const expiresAt = credential.expiresAt ?? Infinity;
      const margin = Math.min(EXPIRY_MARGIN_MS, Math.max(0, (expiresAt - fetchedAt) / 2));
      this.cached = { credential, refreshAt: expiresAt - margin };
      return credential;
    } finally {
      this.pending = undefined;
    }
  }
}

/** How to reach and authenticate to the API server of a kubeconfig's current context. */
export class ApiServerAuth {
  private readonly credentials: CredentialCache<Credential>;
  private readonly base: Transport;
  /** The transport of an exec plugin's client certificate, kept while the plugin hands out the same one. */
  private execTransport: { cert: string; key: string; transport: Transport } | undefined;

  constructor(kubeConfig: KubeConfigLike, now: () => number = Date.now) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new KubeConfigError('The kubeconfig has no current cluster');
    const user = kubeConfig.getCurrentUser();
    if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
      // client-node's rule: credentials go over plain HTTP only when the kubeconfig says TLS is not wanted.
      throw new KubeConfigError(
        `The server of cluster "${cluster.name}" is plain HTTP (${cluster.server}); set insecure-skip-tls-verify to use it anyway`,
      );
    }
    this.base = new Transport(cluster, {
      ca: readPem(cluster.caFile, cluster.caData, `the certificate authority of cluster "${cluster.name}"`),
      cert: readPem(user?.certFile, user?.certData, `the client certificate of user "${user?.name}"`),
      key: readPem(user?.keyFile, user?.keyData, `the client key of user "${user?.name}"`),
    });
    const fixed: Record<string, string> = {};
    if (user?.username)
      fixed.authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
    if (user?.impersonateUser) fixed['impersonate-user'] = user.impersonateUser;
    const source = credentialSource(kubeConfig, user, now);
    this.credentials = new CredentialCache(async () => {
      const fetched = await source();
      const headers = fetched.authorization ? { ...fixed, authorization: fetched.authorization } : fixed;
      return {
        headers,
        transport: this.transportFor(cluster, fetched),
        expiresAt: fetched.expiresAt,
        renewable: fetched.renewable,
      };
    }, now);
  }

  credential(): Promise<Credential> {
    return this.credentials.get();
  }

  /** A request with `used` got a 401; returns whether one retry with a fresh credential may succeed. */
  invalidate(used: Credential): boolean {
    return this.credentials.invalidate(used);
  }

  /** How many times credentials were obtained (a plugin run, a token file read, ...). */
  get fetches(): number {
    return this.credentials.fetches;
  }

  private transportFor(cluster: Cluster, fetched: FetchedCredential): Transport {
    if (!fetched.cert || !fetched.key) return this.base;
    const known = this.execTransport;
    if (known?.cert === fetched.cert && known.key === fetched.key) return known.transport;
    const ca = readPem(cluster.caFile, cluster.caData, `the certificate authority of cluster "${cluster.name}"`);
    this.execTransport = {
      cert: fetched.cert,
      key: fetched.key,
      transport: new Transport(cluster, { ca, cert: fetched.cert, key: fetched.key }),
    };
    return this.execTransport.transport;
  }
}

type Source = () => Promise<FetchedCredential>;

/** Where the user's credential comes from, in client-node's order: a static token wins over any authenticator. */
function credentialSource(kubeConfig: KubeConfigLike, user: User | null, now: () => number): Source {
  const fixed =
    (renewable: boolean, authorization?: string): Source =>
    async () => ({ authorization, renewable });
  if (!user) return fixed(false);
  if (user.token) return fixed(false, `Bearer ${user.token}`);
  const provider = user.authProvider as { name?: string; config?: Record<string, string> } | undefined;
  const customAuthenticators =
    ((kubeConfig as { custom_authenticators?: unknown[] }).custom_authenticators as unknown[] | undefined)?.length ?? 0;
  if (customAuthenticators > 0) return viaKubeConfig(kubeConfig, user, now);
  if (user.exec || provider?.name === 'exec' || provider?.config?.exec) return () => execCredential(user, now);
  if (provider?.name === 'oidc') return () => oidcCredential(user);
  const tokenFile = provider?.config?.tokenFile;
  if (tokenFile) return () => tokenFileCredential(user, tokenFile, now);
  if (provider) return viaKubeConfig(kubeConfig, user, now);
  // Client certificate, basic auth or nothing: the fixed headers and the transport say it all.
  return fixed(false);
}

interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

type AuthenticatorClass = new () => { applyAuthentication(user: User, options: RequestOptions): Promise<void> };

/**
 * client-node's ExecAuth and OpenIDConnectAuth, which its index does not export. Its package has no exports map, so
 * the files can be imported; loaded only for users that need them, so that a future layout breaks only those.
 */
async function clientNodeAuthenticator(
  file: 'exec_auth' | 'oidc_auth',
  name: 'ExecAuth' | 'OpenIDConnectAuth',
): Promise<AuthenticatorClass> {
  const module = (await import(`@kubernetes/client-node/dist/${file}.js`)) as Record<
    string,
    AuthenticatorClass | undefined
  >;
  const found = module[name];
  if (!found) throw new Error(`@kubernetes/client-node has no ${name} in dist/${file}.js`);
  return found;
}

/** Runs the exec plugin through client-node; its credential is kept until its expirationTimestamp (none: until a 401). */
async function execCredential(user: User, now: () => number): Promise<FetchedCredential> {
  const command = (user.exec as { command?: string } | undefined)?.command ?? 'exec plugin';
  try {
    const ExecAuth = await clientNodeAuthenticator('exec_auth', 'ExecAuth');
    // A fresh ExecAuth each time: its own cache would hand back the token a 401 just refused.
    const auth = new ExecAuth() as unknown as {
      getCredential?: (user: User) => Promise<{ status?: ExecCredentialStatus } | null>;
    };
    if (typeof auth.getCredential !== 'function') {
      // A client-node without getCredential: no expiry to read, so ask again after a minute.
      return {
        ...(await viaAuthenticator(new ExecAuth(), user)),
        expiresAt: now() + TOKEN_FILE_LIFETIME_MS,
        renewable: true,
      };
    }
    const status = (await auth.getCredential(user))?.status;
    const expiresAt = status?.expirationTimestamp ? Date.parse(status.expirationTimestamp) : undefined;
    return {
      authorization: status?.token ? `Bearer ${status.token}` : undefined,
      cert: status?.clientCertificateData,
      key: status?.clientKeyData,
      expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
      renewable: true,
    };
  } catch (error) {
    throw new KubeCredentialError(`the exec plugin (${command}) of user "${user.name}" failed: ${firstLine(error)}`, {
      cause: error,
    });
  }
}

/** OIDC through client-node (which refreshes an expired id-token); kept until the token's `exp`. */
async function oidcCredential(user: User): Promise<FetchedCredential> {
  try {
    // A fresh authenticator reads the expiry from the current id-token instead of trusting a remembered one.
    const OpenIDConnectAuth = await clientNodeAuthenticator('oidc_auth', 'OpenIDConnectAuth');
    const { authorization } = await viaAuthenticator(new OpenIDConnectAuth(), user);
    const exp = authorization ? jwtExpiry(authorization.replace(/^Bearer /, '')) : undefined;
    return { authorization, expiresAt: exp, renewable: true };
  } catch (error) {
    throw new KubeCredentialError(`the OIDC token of user "${user.name}" cannot be obtained: ${firstLine(error)}`, {
      cause: error,
    });
  }
}

async function tokenFileCredential(user: User, file: string, now: () => number): Promise<FetchedCredential> {
  let token: string;
  try {
    token = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new KubeCredentialError(`the token file ${file} of user "${user.name}" cannot be read: ${firstLine(error)}`, {
      cause: error,
    });
  }
  return { authorization: `Bearer ${token}`, expiresAt: now() + TOKEN_FILE_LIFETIME_MS, renewable: true };
}

/**
 * Other auth providers (azure, gcp) and authenticators added to the KubeConfig: ask client-node, which runs them
 * with their own caches; kept for a minute, or until the token's `exp` if sooner, or a 401.
 */
function viaKubeConfig(config: KubeConfigLike, user: User, now: () => number): Source {
  let kubeConfig: KubeConfig | undefined;
  return async () => {
    const options: RequestOptions = {};
    try {
      kubeConfig ??= toClientNodeKubeConfig(await loadClientNode(), config);
      await kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      throw new KubeCredentialError(`the credentials of user "${user.name}" cannot be obtained: ${firstLine(error)}`, {
        cause: error,
      });
    }
    const headers = (options.headers ?? {}) as Record<string, string>;
    const authorization = headers.Authorization ?? headers.authorization;
    const exp = authorization?.startsWith('Bearer ') ? jwtExpiry(authorization.slice(7)) : undefined;
    return { authorization, expiresAt: Math.min(exp ?? Infinity, now() + TOKEN_FILE_LIFETIME_MS), renewable: true };
  };
}

async function viaAuthenticator(
  authenticator: InstanceType<AuthenticatorClass>,
  user: User,
): Promise<{ authorization?: string }> {
  const options: RequestOptions & { headers: Record<string, string> } = { headers: {} };
  await authenticator.applyAuthentication(user, options);
  return { authorization: options.headers.Authorization };
}

/** A JWT's `exp` in epoch ms; undefined for anything else (opaque tokens, no `exp`). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.');
  if (payload.length !== 3) return undefined;
  try {
    const { exp } = JSON.parse(Buffer.from(payload[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof exp === 'number' && exp > 0 ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A file or base64 data, as client-node's bufferFromFileOrString, naming what could not be read. */
function readPem(file: string | undefined, data: string | undefined, what: string): Buffer | undefined {
  try {
    if (file) return readFileSync(file);
  } catch (error) {
    throw new KubeCredentialError(`${what} cannot be read from ${file}: ${firstLine(error)}`, { cause: error });
  }
  return data ? Buffer.from(data, 'base64') : undefined;
}

function firstLine(error: unknown): string {
  // Duck-typed: errors of another realm (a vm context) are no `instanceof Error` here.
  const message =
    typeof (error as { message?: unknown })?.message === 'string' ? (error as Error).message : String(error);
  return message.trim().split('\n')[0] || 'no message';
}
