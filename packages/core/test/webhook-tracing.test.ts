// The webhook server's SERVER span continues the trace context a caller sends (the API server with its tracing on),
// the handler's log lines carry the span's ids, and the span ends failed with the message of what the work threw.
import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { CustomResource, OnValidate } from '@kubeop/decorators';
import { describeHandlerClass } from '../src/explorer.js';
import { createRootLogger } from '../src/logging.js';
import { webhookEndpoints } from '../src/internal/webhook/webhooks.js';
import { endServerSpan, startServerSpan } from '../src/internal/trace/server-span.js';
import { detectTracing } from '../src/internal/trace/tracer.js';
import { registerTracing, type TestTracing } from './support/tracing.js';
import { startTestWebhookServer, type TestWebhookServer } from './support/webhook-server.js';

const lines: string[] = [];
const logger = createRootLogger({
  level: 'info',
  format: 'json',
  stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }),
});

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'gadgets', kind: 'Gadget' })
class Gadgets {
  @OnValidate() check(): void {
    logger.info('validating');
  }
}

const endpoints = webhookEndpoints([describeHandlerClass(Gadgets)]);
let tracing: TestTracing;
let served: TestWebhookServer;

beforeAll(async () => {
  tracing = registerTracing();
  await detectTracing();
  served = await startTestWebhookServer({ logger, endpoints });
});
afterAll(async () => {
  await served.close();
  await tracing.shutdown();
  await detectTracing();
});

describe('a traced webhook call', () => {
  it('is a SERVER span in the caller’s trace, child of the caller’s span, and its log lines carry the ids', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const review = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'u1',
        resource: { group: 'example.kubeop.dev', version: 'v1', resource: 'gadgets' },
        operation: 'CREATE',
        object: { spec: {} },
      },
    });
    const path = endpoints[0]!.path;
    expect((await served.post(path, review, { traceparent: `00-${traceId}-${callerSpan}-01` })).status).toBe(200);
    const [span] = tracing.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext?.spanId).toBe(callerSpan);
    expect(span!.name).toBe(`POST ${path}`);
    expect(span!.attributes).toMatchObject({
      'http.route': path,
      'http.response.status_code': 200,
      'server.port': served.server.port,
      'kubeop.webhook.kind': 'admission',
    });
    const line = lines
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((l) => l.message === 'validating');
    expect(line).toMatchObject({ trace_id: traceId, span_id: span!.spanContext().spanId });
  });
});

describe('a webhook call’s SERVER span', () => {
  const request = { headers: {}, socket: { localPort: 8443 } } as IncomingMessage;

  it('whose work threw ends failed with the error’s message, recorded as an exception', () => {
    endServerSpan(startServerSpan(request, '/thrown', 'admission'), 500, new Error('the metrics broke'));
    const [span] = tracing.spans('POST /thrown');
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the metrics broke' });
    expect(span!.attributes['http.response.status_code']).toBe(500);
    expect(span!.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('answered from 500 on ends failed without a message; below, unset', () => {
    endServerSpan(startServerSpan(request, '/unavailable', 'conversion'), 503);
    endServerSpan(startServerSpan(request, '/bad', 'conversion'), 400);
    expect(tracing.spans('POST /unavailable')[0]!.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(tracing.spans('POST /bad')[0]!.status).toEqual({ code: SpanStatusCode.UNSET });
  });
});
