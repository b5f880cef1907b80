// The webhook server's conversion route: a ConversionReview answered by the class's converters, 400 for a body that is
// no ConversionReview, a converter's failure in the review, all counted in the webhook metrics; admission-free.
import 'reflect-metadata';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { Registry } from 'prom-client';
import { describeHandlerClass } from '../src/explorer.js';
import { createRootLogger } from '../src/logging.js';
import { PrometheusWebhookMetrics } from '../src/internal/metrics/webhook-metrics.js';
import { conversionEndpoints } from '../src/internal/webhook/conversion.js';
import { startTestWebhookServer, type TestWebhookServer } from './support/webhook-server.js';

type Thing = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };

@CustomResource({ group: 'example.kubeop.dev', version: 'v2', plural: 'things', kind: 'Thing' })
class Things {
  @OnReconcile() reconcile(): void {}
  @ConvertFrom('v1') fromV1(old: Thing): Thing {
    if (old.spec.size === 13) throw new Error('13 is unlucky');
    return { ...old, spec: { replicas: old.spec.size } };
  }
  @ConvertTo('v1') toV1(thing: Thing): Thing {
    return { ...thing, spec: { size: thing.spec.replicas } };
  }
}

const logs: string[] = [];
const logger = createRootLogger({
  level: 'debug',
  format: 'json',
  stream: new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }),
});
const conversions = conversionEndpoints([describeHandlerClass(Things)]);
const path = conversions[0]!.path;
const registry = new Registry();
let served: TestWebhookServer;

beforeAll(async () => {
  served = await startTestWebhookServer({
    logger,
    conversions,
    metrics: new PrometheusWebhookMetrics(registry, [path]),
  });
});
afterAll(() => served.close());

const post = (to: string, body: string) => served.post(to, body);

const review = (size: number) =>
  JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    request: {
      uid: 'u1',
      desiredAPIVersion: 'example.kubeop.dev/v2',
      objects: [
        {
          apiVersion: 'example.kubeop.dev/v1',
          kind: 'Thing',
          metadata: { name: 'a', namespace: 'ns' },
          spec: { size },
        },
      ],
    },
  });

describe('the conversion route', () => {
  it('answers a ConversionReview with the objects converted by the class', async () => {
    const answer = await post(path, review(3));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'ConversionReview',
      response: {
        uid: 'u1',
        result: { status: 'Success' },
        convertedObjects: [{ apiVersion: 'example.kubeop.dev/v2', spec: { replicas: 3 } }],
      },
    });
  });

  it('fails the review naming the converter when it throws, and logs it', async () => {
    const answer = await post(path, review(13));
    expect(answer.status).toBe(200);
    const { response } = JSON.parse(answer.body) as { response: { result: { status: string; message: string } } };
    expect(response.result.status).toBe('Failure');
    expect(response.result.message).toContain("Things.fromV1 (@ConvertFrom('v1')) failed on Thing ns/a: 13 is unlucky");
    expect(logs.some((line) => line.includes('13 is unlucky') && line.includes('"level":"warn"'))).toBe(true);
  });

  it('answers 400 for a body that is not JSON or no ConversionReview, 404 for another resource', async () => {
    expect((await post(path, '{not json')).status).toBe(400);
    expect((await post(path, JSON.stringify({ kind: 'AdmissionReview' }))).status).toBe(400);
    expect((await post('/convert/others.example.kubeop.dev', review(3))).status).toBe(404);
  });

  it('is counted in the webhook metrics by path and code', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(new RegExp(`controller_runtime_webhook_requests_total\\{webhook="${path}",code="200"\\} 2`));
    expect(text).toMatch(new RegExp(`controller_runtime_webhook_requests_total\\{webhook="${path}",code="400"\\} 2`));
    expect(text).toContain(`controller_runtime_webhook_requests_in_flight{webhook="${path}"} 0`);
  });
});
