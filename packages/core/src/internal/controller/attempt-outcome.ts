// How an attempt's end counts, as pure functions: a handler run's success (result, outcome, requeue) and the work a
// failure is reported against.
import { type Action, type Intent, NOTHING } from '../dispatch/dispatch.js';
import type { HandlerRef } from '../dispatch/handlers.js';
import type { HandlerRunOutcome, ReconcileResult } from '../metrics/metrics.js';
import type { OwedStatus } from '../run/execute.js';
import type { FailedWork } from './failure-policy.js';

/** What a handler run that succeeded leads to. */
export interface SuccessOutcome {
  /** controller_runtime_reconcile_total's result. */
  result: ReconcileResult;
  /** kubeop_handler_runs_total's outcome. */
  handlerOutcome: HandlerRunOutcome;
  /** The run the handler asked for with `requeueAfter`, and when. */
  requeue?: { intent: Intent; delayMs: number };
}

/** A successful run of `handler` that returned `requeueAfter` (seconds, if any). */
export function successOutcome(handler: HandlerRef, requeueAfter: number | undefined): SuccessOutcome {
  if (requeueAfter === undefined) return { result: 'success', handlerOutcome: 'success' };
  // A deletion handled is over: the object is on its way out, there is nothing to run again on.
  if (handler === 'deleted') return { result: 'success', handlerOutcome: 'requeue' };
  const intent: Intent = { ...NOTHING, retry: handler, reasons: [{ type: 'requeue' }] };
  // controller-runtime's meanings: `requeue` when the handler asked to run again at once, else `requeue_after`.
  return {
    result: requeueAfter > 0 ? 'requeue_after' : 'requeue',
    handlerOutcome: 'requeue',
    requeue: { intent, delayMs: requeueAfter * 1000 },
  };
}

/** The failed work as the failure policy sees it; `what` describes a started run, `name` names a handler. */
export function failedWork(
  action: Action | OwedStatus,
  what: string,
  name: (handler: HandlerRef) => string,
): FailedWork {
  if (action.kind === 'skip') return { kind: 'none' };
  if (action.kind === 'call')
    return { kind: 'call', handler: name(action.handler), what, removeFinalizer: action.removeFinalizer };
  return { kind: 'step', what };
}
