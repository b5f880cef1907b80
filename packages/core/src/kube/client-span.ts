// A CLIENT span per API request made under an active span (a handler run, a webhook call), with the W3C trace
// context sent to the API server. Outside such a span (watches, the Lease) a request costs one context lookup.
import type { Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { failSpan, type Otel, otel, TRACER_NAME } from './otel.js';

let cached: { provider: TracerProvider; tracer: Tracer } | undefined;

/** kubeop's tracer from the provider registered now (one registered anew, after `trace.disable()`, included). */
function tracer(api: Otel): Tracer {
  const provider = api.trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer(TRACER_NAME) };
  return cached.tracer;
}

/** Starts the span of one HTTP request, a child of the active span; undefined when no span is active. */
export function startClientSpan(method: string, server: string, path: string): Span | undefined {
  const api = otel();
  if (!api) return undefined;
  const parent = api.trace.getActiveSpan();
  if (!parent?.spanContext().traceId || !parent.isRecording()) return undefined;
  const url = new URL(server + path);
  return tracer(api).startSpan(method, {
    kind: api.SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'url.full': url.href,
      'server.address': url.hostname,
      'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    },
  });
}

/** `headers` with the span's `traceparent` (and `tracestate`) added, as the registered propagator writes them. */
export function withTraceContext(span: Span | undefined, headers: Record<string, string>): Record<string, string> {
  if (!span) return headers;
  const { context, propagation, trace } = otel()!;
  const traced = { ...headers };
  propagation.inject(trace.setSpan(context.active(), span), traced);
  return traced;
}

/** Ends the span with the answer's status code (an error status from 400 on), or the failure when none came. */
export function endClientSpan(span: Span | undefined, status: number | undefined, failure?: unknown): void {
  if (!span) return;
  const { SpanStatusCode } = otel()!;
  if (status !== undefined) {
    span.setAttribute('http.response.status_code', status);
    if (status >= 400) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  } else {
    const error = failSpan(span, failure);
    span.setAttribute('error.type', (error as { code?: string }).code ?? error.name);
  }
  span.end();
}
