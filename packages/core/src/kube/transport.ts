// Connections to the API server with one TLS configuration: the secure context built once, keep-alive, proxy-url.
import { createSecureContext, type SecureContext } from 'node:tls';
import { Agent, buildConnector, type Dispatcher, ProxyAgent } from 'undici';
import { KubeCredentialError } from './errors.js';
import type { Cluster } from './kubeconfig.js';

/** The TLS material of one transport: the cluster's CA and the user's client certificate and key (PEM). */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer | string;
  key?: Buffer | string;
}

/**
 * Connections to the API server with one TLS configuration. The secure context (CA parsed, key loaded) is built
 * once and one connector, with its TLS session cache, is shared by every dispatcher made here: the pool and each
 * watch's own connection.
 */
export class Transport {
  private readonly connect: buildConnector.connector;
  private readonly requestTls: Record<string, unknown>;

  constructor(
    private readonly cluster: Cluster,
    tls: TlsMaterial,
  ) {
    let secureContext: SecureContext;
    try {
      secureContext = createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key });
    } catch (error) {
      throw new KubeCredentialError(
        `the TLS material of cluster "${cluster.name}" (certificate authority, client certificate or key) cannot be used: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.requestTls = {
      secureContext,
      ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
      ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
    };
    // Keep-alive probes after 30 s, as client-node and client-go: undici's 60 s can race load balancers' idle timeouts.
    this.connect = buildConnector({ ...this.requestTls, keepAlive: true, keepAliveInitialDelay: 30_000 });
  }

  /** A new dispatcher: the shared pool, or a watch's connection that can be torn down alone. */
  dispatcher(): Dispatcher {
    const proxy = this.cluster.proxyUrl;
    if (!proxy) return new Agent({ connect: this.connect });
    // undici proxies http, https and socks5, as kubectl does (client-node also has socks4).
    return new ProxyAgent({ uri: proxy, requestTls: this.requestTls });
  }
}
