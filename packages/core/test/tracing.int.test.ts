// Traces on the real control plane with an in-memory exporter: a run's span links to the event spans that caused
// it (two quick changes merged into one run link to both), its API calls are its children (the header on the wire: client-span.test.ts),
// its log lines carry its ids, and a failed run's span says so.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { CustomResource, OnAdded, OnModified } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { installCrd, objects, parseLogs, runOperator, stopAllOperators } from './support/operator.js';
import { testResource } from './support/test-resource.js';
import { registerTracing, type TestTracing } from './support/tracing.js';

const resource = { ...testResource, plural: 'tracewidgets', singular: 'tracewidget', kind: 'TraceWidget' };
/** Holds the @OnAdded run of `held` until released, so that changes made meanwhile merge into one run. */
let release: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (release = resolve));
const addedStarted = new Set<string>();

@CustomResource(resource)
class TraceHandler extends ResourceHandler<{ n?: number; fail?: boolean }, { seen?: number; state?: string }> {
  @OnAdded() async added(o: CustomObject<{ n?: number }>) {
    addedStarted.add(o.metadata.name);
    if (o.metadata.name === 'held') await gate;
    this.status = { state: 'added' };
  }

  @OnModified() async modified(o: CustomObject<{ n?: number; fail?: boolean }>) {
    this.logger.info('traced modified run');
    if (o.spec?.fail) throw new Error('told to fail');
    await this.setStatus({ seen: o.spec?.n ?? 0 });
  }
}

let env: TestEnvironment;
let tracing: TestTracing;

beforeAll(async () => {
  env = await testEnvironment();
  await installCrd(env.kubeConfig, TraceHandler);
  tracing = registerTracing();
});
afterEach(() => stopAllOperators());
afterAll(() => tracing.shutdown());

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const nameOf = (span: ReadableSpan) => span.attributes['kubeop.object.name'];

describe('traces', () => {
  it('links a merged run to both event spans, and makes its status write a CLIENT child span', async () => {
    const operator = await runOperator(TraceHandler, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    const items = objects(env.kubeConfig, TraceHandler, env.namespace);
    await items.create('held', { n: 0 });
    await eventually(() => addedStarted.has('held'), '@OnAdded of held to start', 60_000);
    await items.patchSpec('held', { n: 1 });
    await items.patchSpec('held', { n: 2 });
    const modifiedEvents = () =>
      tracing
        .spans('kubeop.watch.event')
        .filter((span) => nameOf(span) === 'held' && span.attributes['kubeop.event.type'] === 'MODIFIED');
    await eventually(() => modifiedEvents().length === 2, 'two MODIFIED event spans of held', 60_000);
    // The two changes' events (later ones, of the status writes, cause no run).
    const events = modifiedEvents();
    release();
    await items.waitFor('held', (o) => o.status?.seen === 2, 'status.seen 2');

    expect(events.every((span) => span.kind === SpanKind.CONSUMER)).toBe(true);
    const modifiedRuns = () =>
      tracing.spans('kubeop.run TraceHandler.modified').filter((span) => nameOf(span) === 'held');
    // The run's span ends once it is settled, just after its status write.
    const runs = await eventually(
      () => modifiedRuns().length > 0 && modifiedRuns(),
      'the @OnModified run span',
      60_000,
    );
    // Both changes came while @OnAdded ran: one merged run of @OnModified.
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.links.map((link) => link.context.spanId)).toEqual(events.map(idOf));
    expect(run.attributes).toMatchObject({
      'kubeop.run.handler': 'modified',
      'kubeop.run.attempt': 1,
      'kubeop.run.outcome': 'success',
      'k8s.namespace.name': env.namespace,
    });
    expect(run.attributes['kubeop.run.reasons']).toContain('spec-changed');

    // The status write is a CLIENT span under the run, in its trace, and went out with its traceparent.
    const calls = tracing.exporter
      .getFinishedSpans()
      .filter((span) => span.kind === SpanKind.CLIENT && span.parentSpanContext?.spanId === idOf(run));
    const statusWrite = calls.find((span) => String(span.attributes['url.full']).includes('/tracewidgets/held/status'));
    expect(statusWrite).toBeDefined();
    expect(statusWrite!.spanContext().traceId).toBe(run.spanContext().traceId);
    expect(statusWrite!.attributes).toMatchObject({ 'http.request.method': 'PATCH', 'http.response.status_code': 200 });

    // The status setter's write (not awaited by the handler) is a child of its run too.
    const added = tracing.spans('kubeop.run TraceHandler.added').find((span) => nameOf(span) === 'held')!;
    const addedCalls = tracing.exporter
      .getFinishedSpans()
      .filter((span) => span.kind === SpanKind.CLIENT && span.parentSpanContext?.spanId === idOf(added));
    expect(addedCalls.map((span) => span.attributes['url.full'])).toContainEqual(
      expect.stringContaining('/tracewidgets/held/status'),
    );

    // The run's log line carries its ids.
    const line = parseLogs(operator.logs).find(
      (entry) => entry.message === 'traced modified run' && entry.object === `${env.namespace}/held`,
    );
    expect(line).toMatchObject({ trace_id: run.spanContext().traceId, span_id: idOf(run) });
  });

  it('marks a failed run: error status, the exception recorded, the error outcome', async () => {
    await runOperator(TraceHandler, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '30'],
    });
    const items = objects(env.kubeConfig, TraceHandler, env.namespace);
    await items.create('failing', { n: 0 });
    await items.waitFor('failing', (o) => o.status?.state === 'added', 'status.state added');
    await items.patchSpec('failing', { fail: true });
    const failed = () =>
      tracing
        .spans('kubeop.run TraceHandler.modified')
        .filter((span) => nameOf(span) === 'failing' && span.attributes['kubeop.run.outcome'] === 'error');
    const [run] = await eventually(() => failed().length > 0 && failed(), 'a failed run span of failing', 60_000);
    expect(run!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'told to fail' });
    expect(run!.events.map((event) => event.name)).toContain('exception');
    expect(run!.links).toHaveLength(1);
  });
});
