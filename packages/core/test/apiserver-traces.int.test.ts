// One trace from the operator into kube-apiserver: with the API server's own tracing on (the test kit's
// apiServerTracing, exporting to a test-only OTLP/gRPC receiver), the span kube-apiserver makes for a status write
// is a child of the operator's CLIENT span, which is a child of the handler run: the traceparent went over the wire.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind } from '@opentelemetry/api';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { type ControlPlane, createTestNamespace, eventually, startControlPlane } from '@kubeop/testing';
import { installCrd, objects, runOperator, stopAllOperators } from './support/operator.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { testResource } from './support/test-resource.js';
import { registerTracing, type TestTracing } from './support/tracing.js';

const resource = { ...testResource, plural: 'tracedgadgets', singular: 'tracedgadget', kind: 'TracedGadget' };

@CustomResource(resource)
class TracedHandler extends ResourceHandler<Record<string, never>, { state?: string }> {
  @OnAdded() async added() {
    await this.setStatus({ state: 'done' });
  }
}

let receiver: OtlpReceiver;
let plane: ControlPlane;
let namespace: string;
let tracing: TestTracing;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  plane = await startControlPlane({ apiServerTracing: { endpoint: receiver.endpoint } });
  namespace = await createTestNamespace(plane.kubeConfig);
  await installCrd(plane.kubeConfig, TracedHandler);
  tracing = registerTracing();
});
afterEach(() => stopAllOperators());
afterAll(async () => {
  await tracing?.shutdown();
  await plane?.stop();
  await receiver?.close();
});

describe('a run traced into kube-apiserver', () => {
  it('has the API server span of its status write as a child of its CLIENT span', async () => {
    await runOperator(TracedHandler, { kubeconfigPath: plane.kubeconfigPath, namespace });
    await objects(plane.kubeConfig, TracedHandler, namespace).create('g1');
    const run = await eventually(
      () =>
        tracing.spans('kubeop.run TracedHandler.added').find((span) => span.attributes['kubeop.object.name'] === 'g1'),
      'the run span of g1',
      60_000,
    );
    const write = tracing.exporter
      .getFinishedSpans()
      .find(
        (span) =>
          span.kind === SpanKind.CLIENT &&
          span.parentSpanContext?.spanId === run.spanContext().spanId &&
          String(span.attributes['url.full']).includes('/tracedgadgets/g1/status'),
      );
    expect(write).toBeDefined();
    const { traceId, spanId } = write!.spanContext();
    // kube-apiserver exports in batches (every few seconds).
    const served = await eventually(
      () => receiver.spans.find((span) => span.traceId === traceId && span.parentSpanId === spanId),
      'a kube-apiserver span in the run’s trace, child of the status write',
      90_000,
    );
    expect(served.service).toBe('apiserver');
  });
});
