// The webhook server on loopback for a test: a serving certificate in a folder of its own, stub dependencies for the
// methods, and an HTTPS client trusting that certificate's CA.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificates } from '@kubeop/testing';
import type { OperatorArgs } from '../../src/cli.js';
import type { ObjectClient } from '../../src/kube/object-client.js';
import type { Logger } from '../../src/logging.js';
import { NOOP_WEBHOOK_METRICS, type WebhookMetrics } from '../../src/internal/metrics/webhook-metrics.js';
import { certificatesFromDirectory } from '../../src/internal/webhook/certificates/index.js';
import type { ConversionEndpoint } from '../../src/internal/webhook/conversion.js';
import { startWebhookServer, type WebhookServer } from '../../src/internal/webhook/server.js';
import type { WebhookEndpoint } from '../../src/internal/webhook/webhooks.js';

export interface TestWebhookServerOptions {
  logger: Logger;
  /** Defaults to none. */
  endpoints?: WebhookEndpoint[];
  /** Defaults to none. */
  conversions?: ConversionEndpoint[];
  /** Defaults to metrics that count nothing. */
  metrics?: WebhookMetrics;
}

export interface TestWebhookServer {
  server: WebhookServer;
  /** The certificate folder it serves from (tls.crt, tls.key). */
  dir: string;
  /** POSTs `body` to `path` over TLS, verifying the server's certificate; resolves with the status and the body. */
  post(path: string, body: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Stops the server and its certificate source, and removes the folder. */
  close(): Promise<void>;
}

/** Starts the webhook server on 127.0.0.1 on a free port, serving a certificate made for the test. */
export async function startTestWebhookServer(options: TestWebhookServerOptions): Promise<TestWebhookServer> {
  const { logger } = options;
  const dir = await mkdtemp(join(tmpdir(), 'kubeop-webhook-'));
  const certs = await generateCertificates(dir);
  await copyFile(certs.files.servingCert, join(dir, 'tls.crt'));
  await copyFile(certs.files.servingKey, join(dir, 'tls.key'));
  const certificates = certificatesFromDirectory({ dir, logger });
  await certificates.start();
  const server = await startWebhookServer({
    address: '127.0.0.1:0',
    endpoints: options.endpoints ?? [],
    conversions: options.conversions,
    certificates,
    deps: { client: {} as ObjectClient, logger, args: {} as OperatorArgs },
    metrics: options.metrics ?? NOOP_WEBHOOK_METRICS,
    logger,
  });
  const ca = certs.servingCaPem;
  return {
    server,
    dir,
    post: (path, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(
          { host: '127.0.0.1', port: server.port, path, method: 'POST', ca, servername: 'localhost', headers },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += String(chunk)));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    async close() {
      await server.close();
      await certificates.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
