// The HTTPS webhook server on loopback: answers, 400 for what is no AdmissionReview (logged once), the port flag
// named when taken, and a certificate folder missing a file named.
import 'reflect-metadata';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnValidate } from '@kubeop/decorators';
import type { OperatorArgs } from '../src/cli.js';
import { describeHandlerClass } from '../src/explorer.js';
import type { ObjectClient } from '../src/kube/object-client.js';
import { Registry } from 'prom-client';
import { Denied } from '../src/admission.js';
import { createRootLogger } from '../src/logging.js';
import { certificatesFromDirectory } from '../src/internal/webhook/certificates/index.js';
import { startWebhookServer } from '../src/internal/webhook/server.js';
import { type WebhookEndpoint, webhookEndpoints } from '../src/internal/webhook/webhooks.js';
import { NOOP_WEBHOOK_METRICS, PrometheusWebhookMetrics } from '../src/internal/metrics/webhook-metrics.js';
import { startTestWebhookServer, type TestWebhookServer } from './support/webhook-server.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'widgets', kind: 'Widget' })
class Widgets {
  @OnValidate() check(widget: { spec: { size?: number } }): void {
    if (widget.spec.size === 1) throw new Denied('spec.size must not be 1', { field: 'spec.size' });
    if (widget.spec.size === 2) throw new Error('a bug in the check');
    // A value with no string form (String() of it throws), as a careless method may throw.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (widget.spec.size === 3) throw Object.assign(Object.create(null) as object, { why: 'odd' });
  }
}

const logs: string[] = [];
const logger = createRootLogger({
  level: 'debug',
  format: 'json',
  stream: new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }),
});
const endpoints = webhookEndpoints([describeHandlerClass(Widgets)]);
const registry = new Registry();
let served: TestWebhookServer;

beforeAll(async () => {
  served = await startTestWebhookServer({
    logger,
    endpoints,
    metrics: new PrometheusWebhookMetrics(
      registry,
      endpoints.map((e) => e.path),
    ),
  });
});
afterAll(() => served.close());

const post = (path: string, body: string) => served.post(path, body);

const review = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'u1',
    resource: { group: 'example.kubeop.dev', version: 'v1', resource: 'widgets' },
    operation: 'CREATE',
    object: { spec: {} },
  },
});

describe('the webhook server', () => {
  it('answers an AdmissionReview over TLS and is ready', async () => {
    const answer = await post(endpoints[0]!.path, review);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ kind: 'AdmissionReview', response: { uid: 'u1', allowed: true } });
    expect(served.server.ready()).toBe(true);
  });

  it('answers 404 for another path and 400 for what is no AdmissionReview, logged once', async () => {
    expect((await post('/nowhere', review)).status).toBe(404);
    const bad = JSON.stringify({ kind: 'ConfigMap' });
    expect((await post(endpoints[0]!.path, bad)).status).toBe(400);
    expect((await post(endpoints[0]!.path, bad)).status).toBe(400);
    expect(logs.filter((line) => line.includes('expected kind AdmissionReview'))).toHaveLength(1);
  });

  it('counts requests by code, rejections, latency and in-flight, logs a denial at debug, and shows the certificate expiry', async () => {
    const denied = review.replace('"spec":{}', '"spec":{"size":1}');
    const answer = JSON.parse((await post(endpoints[0]!.path, denied)).body) as { response: { allowed: boolean } };
    expect(answer.response.allowed).toBe(false);
    expect(logs.some((line) => line.includes('Widgets.check denied CREATE') && line.includes('"level":"debug"'))).toBe(
      true,
    );
    expect((await post(endpoints[0]!.path, '{}')).status).toBe(400);
    const failed = review.replace('"spec":{}', '"spec":{"size":2}');
    expect(JSON.parse((await post(endpoints[0]!.path, failed)).body)).toMatchObject({ response: { allowed: false } });
    const text = await registry.metrics();
    const path = endpoints[0]!.path;
    expect(text).toMatch(
      new RegExp(`controller_runtime_webhook_requests_total\\{webhook="${path}",code="200"\\} [1-9]`),
    );
    expect(text).toMatch(
      new RegExp(`controller_runtime_webhook_requests_total\\{webhook="${path}",code="400"\\} [1-9]`),
    );
    expect(text).toContain(`controller_runtime_webhook_requests_in_flight{webhook="${path}"} 0`);
    expect(text).toMatch(new RegExp(`controller_runtime_webhook_latency_seconds_count\\{webhook="${path}"\\} [1-9]`));
    expect(text).toMatch(/kubeop_webhook_certificate_expiry_timestamp_seconds \d{10}/);
    // The denial is an HTTP 200 like an admission, so only the rejections count it.
    expect(text).toContain(`kubeop_webhook_rejections_total{webhook="${path}",reason="denied"} 1`);
    expect(text).toContain(`kubeop_webhook_rejections_total{webhook="${path}",reason="error"} 1`);
  });

  it('answers a method that threw a value without a string form as failed, describing it', async () => {
    const odd = review.replace('"spec":{}', '"spec":{"size":3}');
    const answer = await post(endpoints[0]!.path, odd);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      response: { allowed: false, status: { code: 500, message: 'Widgets.check failed: {"why":"odd"}' } },
    });
  });

  it('answers 500 to a request that fails by a fault of its own, logs it and counts it, and serves on', async () => {
    // An endpoint missing its method's record: what a fault in kubeop itself would look like to the server.
    const [endpoint] = endpoints;
    const broken = { ...endpoint!, path: '/broken', record: undefined } as unknown as WebhookEndpoint;
    const brokenRegistry = new Registry();
    const other = await startTestWebhookServer({
      logger,
      endpoints: [broken, endpoint!],
      metrics: new PrometheusWebhookMetrics(brokenRegistry, ['/broken', endpoint!.path]),
    });
    try {
      const answer = await other.post('/broken', review);
      expect(answer.status).toBe(500);
      expect(answer.body).toMatch(/timeout/);
      expect(logs.some((line) => line.includes('/broken: HTTP 500') && line.includes('"level":"error"'))).toBe(true);
      expect(await brokenRegistry.metrics()).toContain(
        'controller_runtime_webhook_requests_total{webhook="/broken",code="500"} 1',
      );
      expect((await other.post(endpoint!.path, review)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('refuses a body over the limit with 413', async () => {
    expect((await post(endpoints[0]!.path, ' '.repeat(8 * 1024 * 1024))).status).toBe(413);
  });

  it('names --webhook-bind-address when the port is taken', async () => {
    const certificates = certificatesFromDirectory({ dir: served.dir, logger });
    await certificates.start();
    await expect(
      startWebhookServer({
        address: `127.0.0.1:${served.server.port}`,
        endpoints,
        certificates,
        deps: { client: {} as ObjectClient, logger, args: {} as OperatorArgs },
        metrics: NOOP_WEBHOOK_METRICS,
        logger,
      }),
    ).rejects.toThrow('--webhook-bind-address "127.0.0.1:');
    await certificates.stop();
  });

  it('names the file a certificate folder lacks', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'kubeop-webhook-empty-'));
    await copyFile(join(served.dir, 'tls.crt'), join(empty, 'tls.crt'));
    await expect(certificatesFromDirectory({ dir: empty, logger }).start()).rejects.toMatchObject({
      code: 'CERTIFICATE_FILE',
      path: join(empty, 'tls.key'),
      problem: 'is missing',
    });
  });
});
