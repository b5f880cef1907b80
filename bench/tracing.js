// BENCH_TRACING for the storm: `off` (no SDK: kubeop's hooks return at once), `api` (an SDK whose sampler records
// nothing: every span is made but non-recording), `sdk` (every span recorded and batched to an exporter that drops
// them, AlwaysOn). An operator started after setTracing sees the mode. `off` loads no OpenTelemetry package at all.

export const TRACING_MODES = ['off', 'api', 'sdk'];

/** Drops what it is given, so the figure is the cost of making and batching spans, not of sending them. */
const dropping = {
  exported: new Map(),
  export(spans, done) {
    for (const span of spans) this.exported.set(span.name, (this.exported.get(span.name) ?? 0) + 1);
    done({ code: 0 });
  },
  shutdown: async () => undefined,
};

/** Registers the mode's SDK (none for `off`); returns what takes it down again and the spans exported by name. */
export async function setTracing(mode) {
  if (!TRACING_MODES.includes(mode)) throw new Error(`BENCH_TRACING: ${mode} is none of ${TRACING_MODES.join(', ')}`);
  dropping.exported.clear();
  if (mode === 'off') return { exported: () => 'none', teardown: async () => undefined };
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, TracerProvider } =
    await import('@opentelemetry/sdk-trace');
  const provider = new TracerProvider({
    sampler: mode === 'sdk' ? new AlwaysOnSampler() : new AlwaysOffSampler(),
    // A queue large enough that no span of the storm is dropped unexported.
    spanProcessors: [new BatchSpanProcessor({ exporter: dropping, maxQueueSize: 65_536, scheduledDelayMillis: 1000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    exported: () => [...dropping.exported].map(([name, count]) => `${count} ${name}`).join(', ') || 'none',
    teardown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
