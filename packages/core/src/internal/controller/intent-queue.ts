// The controller's work queue: each object's merged intent, the configured concurrency and backoff, counted in metrics.
import type { RuntimeConfig } from '../../config.js';
import { type Intent, mergeIntents } from '../dispatch/dispatch.js';
import type { ControllerMetrics } from '../metrics/metrics.js';
import { WorkQueue } from '../queue/work-queue.js';

export function intentQueue(
  config: RuntimeConfig,
  metrics: ControllerMetrics,
  process: (key: string, intent: Intent) => Promise<void>,
): WorkQueue<Intent> {
  return new WorkQueue<Intent>(process, {
    concurrency: config.maxConcurrent,
    merge: mergeIntents,
    backoff: { baseMs: config.retry.baseSeconds * 1000, capMs: config.retry.maxSeconds * 1000 },
    observer: {
      added: () => metrics.queueAdd(),
      started: (queuedMs) => metrics.workStarted(queuedMs / 1000),
      done: (workMs) => metrics.workDone(workMs / 1000),
    },
  });
}
