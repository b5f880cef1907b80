// The SERVER span of one webhook call, continuing the trace context the caller (the API server) sent.
import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import { failSpan, otel } from '../../kube/otel.js';
import { activeTracer } from './tracer.js';

/** Starts the span of a webhook request (`kind`: admission or conversion); undefined when traces are off. */
export function startServerSpan(
  request: IncomingMessage,
  path: string,
  kind: 'admission' | 'conversion',
): Span | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  // A tracer is set only once the API is loaded.
  const { propagation, ROOT_CONTEXT, SpanKind } = otel()!;
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const port = request.socket.localPort;
  return tracer.startSpan(
    `POST ${path}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'POST',
        'http.route': path,
        'url.path': path,
        'url.scheme': 'https',
        ...(port === undefined ? {} : { 'server.port': port }),
        'kubeop.webhook.kind': kind,
      },
    },
    parent,
  );
}

/**
 * Ends the span with the status code answered (an error status from 500 on, as semconv has for servers); when the
 * work threw, records `thrown` and its message instead (a second, message-less status would replace it).
 */
export function endServerSpan(span: Span | undefined, status: number, thrown?: unknown): void {
  if (!span) return;
  span.setAttribute('http.response.status_code', status);
  if (thrown !== undefined) failSpan(span, thrown);
  else if (status >= 500) span.setStatus({ code: otel()!.SpanStatusCode.ERROR });
  span.end();
}
