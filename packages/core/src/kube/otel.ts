// The OpenTelemetry API, imported only once an SDK has registered itself with it: while traces are off, kubeop
// neither loads it (about 0.6 MB of heap) nor calls it. Also what all of kubeop's spans share: its tracer's name and
// how a span is failed.
import type * as OtelApi from '@opentelemetry/api';

export type Otel = typeof OtelApi;

/** The instrumentation scope of every kubeop span. */
export const TRACER_NAME = '@kubeop/core';

/** Where the API (any copy of major version 1) keeps what was registered with it, `trace` among them. */
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

let loaded: Otel | undefined;

/** The API once {@link loadOtel} found an SDK, else undefined. */
export function otel(): Otel | undefined {
  return loaded;
}

/** Whether a tracer provider is registered now; imports the API the first time one is. */
export async function loadOtel(): Promise<Otel | undefined> {
  const registered = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[GLOBAL_KEY];
  if (!registered?.trace) return undefined;
  loaded ??= await import('@opentelemetry/api');
  return loaded;
}

/** Records `thrown` on `span` (as an Error, made if it is none) and fails the span with its message; returns it. */
export function failSpan(span: OtelApi.Span, thrown: unknown): Error {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  span.recordException(error);
  span.setStatus({ code: loaded!.SpanStatusCode.ERROR, message: error.message });
  return error;
}
