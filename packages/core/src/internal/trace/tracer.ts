// Whether traces are on: decided when the operator starts (an OpenTelemetry SDK registered by then), so the hooks in
// the watch, the run and the webhook server cost one variable read per event when they are off.
import type { Tracer } from '@opentelemetry/api';
import { loadOtel, otel, TRACER_NAME } from '../../kube/otel.js';

let current: Tracer | undefined;

/** kubeop's tracer while traces are on, else undefined. */
export function activeTracer(): Tracer | undefined {
  return current;
}

/**
 * Turns traces on when a tracer provider is registered with the API, off otherwise; returns whether they are on.
 * A provider registered later is seen at the next operator start.
 */
export async function detectTracing(): Promise<boolean> {
  const api = await loadOtel();
  current = api?.trace.getTracer(TRACER_NAME);
  return current !== undefined;
}

/** Exports the spans the SDK still holds (its `forceFlush`), waiting at most `timeoutMs`; nothing when traces are off. */
export async function flushTraces(timeoutMs = 2_000): Promise<void> {
  const api = otel();
  if (!current || !api) return;
  const provider = api.trace.getTracerProvider();
  const delegate = (provider instanceof api.ProxyTracerProvider ? provider.getDelegate() : provider) as {
    forceFlush?: () => Promise<void>;
  };
  if (typeof delegate.forceFlush !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    delegate.forceFlush().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
