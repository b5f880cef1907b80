// Node's process metrics: prom-client's defaults but nodejs_gc_duration_seconds, whose PerformanceObserver runs a
// callback after every garbage collection (every scavenge, frequent with --max-semi-space-size=1): README Performance.
import { createRequire } from 'node:module';
import { collectDefaultMetrics, type Registry } from 'prom-client';

type DefaultMetric = (registry: Registry, config: { eventLoopMonitoringPrecision: number }) => void;

/** prom-client's default metric modules (collectDefaultMetrics.metricsList) that kubeop exports. */
export const PROCESS_METRICS = collectDefaultMetrics.metricsList.filter((name) => name !== 'gc');

/**
 * Registers each default metric module of prom-client (pinned in package.json; its collectDefaultMetrics has no
 * option to leave one out) on `registry`, with its default event loop precision (10 ms).
 */
export function collectProcessMetrics(registry: Registry): void {
  const require = createRequire(import.meta.url);
  for (const name of PROCESS_METRICS) {
    (require(`prom-client/lib/metrics/${name}.js`) as DefaultMetric)(registry, { eventLoopMonitoringPrecision: 10 });
  }
}
