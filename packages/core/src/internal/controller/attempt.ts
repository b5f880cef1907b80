// One attempt at an object's action: counted as running and in flight, carried out, then settled.
import { fullName } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import type { Action, Intent } from '../dispatch/dispatch.js';
import type { ReconcileResult } from '../metrics/metrics.js';
import { describeWork, execute, type ExecuteContext, type OwedStatus } from '../run/execute.js';
import { PrunedFieldReports } from '../run/status-reports.js';
import { endRunSpan, inSpan } from '../trace/spans.js';
import { runSpan } from './run-span.js';
import { Settle, type SettleContext } from './settle.js';

export class Attempts {
  /** What each object's current run is doing, to name the runs a shutdown abandons. */
  private readonly runs = new Map<string, { what: string; startedAt: number }>();

  private readonly settle: Settle;
  /** What every run is given, but its attempt. */
  private readonly runContext: Omit<ExecuteContext, 'attempt'>;

  constructor(private readonly context: SettleContext) {
    this.settle = new Settle(context);
    const { description, deps, handledDeletions, logger, metrics, shutdown } = context;
    const pruned = new PrunedFieldReports(fullName(description.resource), logger);
    this.runContext = {
      description,
      deps,
      handledDeletions,
      logger,
      shutdown,
      onPruned: (fields) => pruned.report(fields),
      onStatusWritten: () => metrics.statusWrite(),
    };
  }

  /** Runs `action` for `key` (queued with `intent`) and settles its end; returns the reconcile's result. */
  async run(key: string, intent: Intent, action: Action | OwedStatus): Promise<ReconcileResult> {
    const { queue, stats } = this.context;
    const { settle } = this;
    const what = action.kind === 'skip' ? '' : describeWork(action, key, this.context.description);
    stats.running++;
    if (action.kind !== 'skip') this.runs.set(key, { what, startedAt: Date.now() });
    const attempt = queue.failuresOf(key) + 1;
    // Undefined when traces are off: no closure, no context.
    const span = action.kind === 'skip' ? undefined : runSpan(this.context.description, action, intent, attempt);
    try {
      const requeueAfter =
        action.kind === 'skip'
          ? undefined
          : span
            ? await inSpan(span, () => execute(action, { ...this.runContext, attempt }))
            : await execute(action, { ...this.runContext, attempt });
      // A run beside a backoff (a timer's) leaves the failures of the work still owed counted.
      if (!queue.inBackoff(key)) queue.forget(key);
      const result = settle.succeeded(key, action, requeueAfter);
      endRunSpan(span, result);
      return result;
    } catch (thrown) {
      // The failure's log line is the run's: it carries the run's trace ids.
      const result = span
        ? inSpan(span, () => settle.failed(key, intent, action, what, thrown))
        : settle.failed(key, intent, action, what, thrown);
      endRunSpan(span, result, thrown);
      return result;
    } finally {
      this.runs.delete(key);
      stats.running--;
    }
  }

  /** When each run under way started (ms since the epoch). */
  startTimes(): number[] {
    return [...this.runs.values()].map((run) => run.startedAt);
  }

  /** Names, with their age, the runs still under way: a shutdown leaves them behind. */
  reportAbandoned(logger: Logger, now = Date.now()): void {
    for (const [key, run] of this.runs) {
      const seconds = Math.round((now - run.startedAt) / 1000);
      logger.warn(`abandoned at shutdown after ${seconds} s: ${run.what}`, { object: key });
    }
  }
}
