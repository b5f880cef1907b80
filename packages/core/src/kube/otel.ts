// The OpenTelemetry API, imported only once an SDK has registered itself with it: while traces are off, kubeop
// neither loads it (about 0.6 MB of heap) nor calls it.
import type * as OtelApi from '@opentelemetry/api';

export type Otel = typeof OtelApi;

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
