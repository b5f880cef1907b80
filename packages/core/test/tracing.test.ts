// Traces without a cluster: off until an SDK is registered, links merged and bounded, a request under a span sends
// its traceparent on the wire, and log lines inside a span carry its ids.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type SpanContext, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { KubeConfig } from '@kubernetes/client-node';
import { mergeIntents, NOTHING } from '../src/internal/dispatch/dispatch.js';
import { MAX_LINKS, mergeLinks } from '../src/internal/trace/links.js';
import { inSpan, startEventSpan } from '../src/internal/trace/spans.js';
import { activeTracer, detectTracing, flushTraces } from '../src/internal/trace/tracer.js';
import type { WatchEvent } from '../src/internal/types/watch-event.js';
import { KubeClient } from '../src/kube/client.js';
import { endClientSpan, startClientSpan } from '../src/kube/client-span.js';
import { otel } from '../src/kube/otel.js';
import { createRootLogger } from '../src/logging.js';
import { registerTracing, type TestTracing } from './support/tracing.js';

const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', resourceVersion: '7' } };
const link = (n: number): SpanContext => ({
  traceId: n.toString(16).padStart(32, '0'),
  spanId: n.toString(16).padStart(16, '0'),
  traceFlags: TraceFlags.SAMPLED,
});

describe('with no SDK registered', () => {
  it('is off: no tracer, no event span, no link, no client span, and the API not even loaded', async () => {
    expect(await detectTracing()).toBe(false);
    expect(otel()).toBeUndefined();
    expect(activeTracer()).toBeUndefined();
    const event: WatchEvent = { type: 'ADDED', object };
    expect(startEventSpan(event)).toBeUndefined();
    expect(event).not.toHaveProperty('link');
    expect(startClientSpan('GET', 'https://127.0.0.1:6443', '/api/v1/namespaces')).toBeUndefined();
  });
});

describe('links', () => {
  it('merge oldest first without repeats, keeping the last 32', () => {
    const [a, b, c] = [link(1), link(2), link(3)];
    expect(mergeLinks([a, b], [b, c])).toEqual([a, b, c]);
    expect(mergeLinks(undefined, undefined)).toBeUndefined();
    const many = Array.from({ length: 40 }, (_, i) => link(i + 1));
    const merged = mergeLinks(many.slice(0, 20), many.slice(20))!;
    expect(merged).toHaveLength(MAX_LINKS);
    expect(merged.at(-1)).toBe(many.at(-1));
    expect(merged[0]).toBe(many[40 - MAX_LINKS]);
  });

  it('travel with merged intents, and an intent without any gets no links field', () => {
    const older = { ...NOTHING, modified: true, links: [link(1)] };
    const newer = { ...NOTHING, modified: true, links: [link(2)] };
    expect(mergeIntents(older, newer).links).toEqual([link(1), link(2)]);
    expect(mergeIntents({ ...NOTHING }, { ...NOTHING, added: true })).not.toHaveProperty('links');
  });
});

describe('with an SDK registered', () => {
  let tracing: TestTracing;
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    tracing = registerTracing();
    await detectTracing();
    server = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await tracing.shutdown();
  });

  it('is on, and a recording event span leaves its context on the event', () => {
    expect(activeTracer()).toBeDefined();
    expect(otel()).toBeDefined();
    const event: WatchEvent = { type: 'MODIFIED', object };
    const span = startEventSpan(event)!;
    span.end();
    expect(event.link).toEqual(span.spanContext());
    const [exported] = tracing.spans('kubeop.watch.event');
    expect(exported!.kind).toBe(SpanKind.CONSUMER);
    expect(exported!.attributes).toMatchObject({
      'kubeop.event.type': 'MODIFIED',
      'kubeop.object.kind': 'ConfigMap',
      'kubeop.object.name': 'a',
      'k8s.namespace.name': 'ns',
      'kubeop.object.resource_version': '7',
    });
  });

  it('sends the traceparent of a CLIENT span under the active span, and none outside a span', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const client = new KubeClient(kubeConfig);
    try {
      const parent = trace.getTracer('test').startSpan('parent');
      await inSpan(parent, () => client.request('GET', '/api/v1/namespaces/ns/configmaps/a'));
      parent.end();
      await client.request('GET', '/api/v1/namespaces');
      const [call] = tracing.exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
      expect(call!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(call!.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.full': `${url}/api/v1/namespaces/ns/configmaps/a`,
        'server.address': '127.0.0.1',
        'http.response.status_code': 200,
      });
      const { traceId, spanId } = call!.spanContext();
      expect(seen[0]!.traceparent).toBe(`00-${traceId}-${spanId}-01`);
      expect(seen[1]!.traceparent).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it('ends a CLIENT span whose request got no answer failed, with the error’s code and message, in kubeop’s scope', () => {
    const parent = trace.getTracer('test').startSpan('parent');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    inSpan(parent, () => endClientSpan(startClientSpan('GET', 'https://127.0.0.1:1', '/refused'), undefined, refused));
    inSpan(parent, () => endClientSpan(startClientSpan('PUT', 'https://127.0.0.1:1', '/torn'), undefined, 'torn'));
    parent.end();
    const to = (path: string) =>
      tracing.exporter.getFinishedSpans().find((span) => span.attributes['url.full'] === `https://127.0.0.1:1${path}`)!;
    const [get, put] = [to('/refused'), to('/torn')];
    expect(get.status).toEqual({ code: SpanStatusCode.ERROR, message: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(get.attributes['error.type']).toBe('ECONNREFUSED');
    expect(get.events.map((event) => event.name)).toEqual(['exception']);
    expect(get.instrumentationScope.name).toBe('@kubeop/core');
    expect(put.status).toEqual({ code: SpanStatusCode.ERROR, message: 'torn' });
    expect(put.attributes['error.type']).toBe('Error');
  });

  it('flushes the SDK when asked (the operator does when it stops)', async () => {
    const flush = jest.spyOn(tracing.provider, 'forceFlush');
    await flushTraces();
    expect(flush).toHaveBeenCalledTimes(1);
    flush.mockRestore();
  });

  it('puts the active span ids on log lines, and nothing outside a span', () => {
    const lines: string[] = [];
    const logger = createRootLogger({
      level: 'info',
      format: 'json',
      stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }),
    });
    const span = trace.getTracer('test').startSpan('run');
    inSpan(span, () => logger.child({ object: 'ns/a' }).info('inside'));
    span.end();
    logger.info('outside');
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    expect(outside).not.toHaveProperty('trace_id');
  });
});
