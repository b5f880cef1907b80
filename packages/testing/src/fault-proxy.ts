// A TCP proxy in front of kube-apiserver for fault-injection tests: cut, refuse or silently freeze connections.
// It forwards bytes only (TLS passes through), so the client still talks to the real API server.
import { createServer, type Server, type Socket, connect } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { writeFile } from 'node:fs/promises';

export interface FaultProxy {
  /** `https://127.0.0.1:<port>`: use it as the server in place of the API server's own URL. */
  readonly server: string;
  /** A copy of the control plane's kubeconfig pointing at the proxy. */
  readonly kubeConfig: KubeConfig;
  /** That kubeconfig as a file. */
  readonly kubeconfigPath: string;
  /** Connections open through the proxy. */
  readonly connections: number;
  /** Resets every open connection. */
  cut(): void;
  /** Refuses (resets) new connections until resume(); `cut` also resets open ones. */
  refuse(options?: { cut?: boolean }): void;
  /** Stops forwarding on the open connections without closing them: the client sees a silent, live stream. */
  freeze(): void;
  /** Accepts connections again; frozen connections stay frozen. */
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startFaultProxy(
  target: { server: string; kubeConfig: KubeConfig },
  kubeconfigPath: string,
): Promise<FaultProxy> {
  const upstreamUrl = new URL(target.server);
  const pairs = new Set<Pair>();
  const frozen = new Set<Pair>();
  let refusing = false;

  const server: Server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: upstreamUrl.hostname, port: Number(upstreamUrl.port) });
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      pairs.delete(pair);
      frozen.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const proxyServer = `https://127.0.0.1:${port}`;

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(target.kubeConfig.exportConfig());
  const cluster = kubeConfig.getCurrentCluster()!;
  kubeConfig.clusters = kubeConfig.clusters.map((c) => (c.name === cluster.name ? { ...c, server: proxyServer } : c));
  await writeFile(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });

  const cut = () => {
    for (const { client, upstream } of pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  return {
    server: proxyServer,
    kubeConfig,
    kubeconfigPath,
    get connections() {
      return pairs.size;
    },
    cut,
    refuse: (options) => {
      refusing = true;
      if (options?.cut) cut();
    },
    freeze: () => {
      for (const pair of pairs) {
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        pair.client.pause();
        pair.upstream.pause();
        frozen.add(pair);
      }
      // Frozen pairs hang until the client gives up on them; cut() leaves them alone.
      pairs.clear();
    },
    resume: () => {
      refusing = false;
    },
    close: async () => {
      cut();
      for (const { client, upstream } of frozen) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
