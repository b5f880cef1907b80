// Whether traces are on: decided once when the operator starts (an OpenTelemetry SDK registered by then), so the
// hooks in the watch, the run and the webhook server cost one variable read per event when they are off.
import { ProxyTracerProvider, trace, type Tracer } from '@opentelemetry/api';

/** The instrumentation scope of every kubeop span. */
export const TRACER_NAME = '@kubeop/core';

let current: Tracer | undefined;

/** kubeop's tracer while traces are on, else undefined. */
export function activeTracer(): Tracer | undefined {
  return current;
}

/**
 * Looks whether a tracer provider is registered with the API (the API's global proxy delegates to it) and turns
 * traces on or off; returns whether they are on. A provider registered later is seen at the next operator start.
 */
export function detectTracing(): boolean {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  const on = delegate !== NOOP_DELEGATE;
  current = on ? trace.getTracer(TRACER_NAME) : undefined;
  return on;
}

/** Exports the spans the SDK still holds (its `forceFlush`), waiting at most `timeoutMs`; nothing when traces are off. */
export async function flushTraces(timeoutMs = 2_000): Promise<void> {
  if (!current) return;
  const provider = trace.getTracerProvider();
  const delegate = (provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider) as {
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

/** What the API's proxy delegates to when no SDK is registered. */
const NOOP_DELEGATE = new ProxyTracerProvider().getDelegate();
