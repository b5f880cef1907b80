// What follows a failed run: how it is logged and reported, how metrics count it, and whether and when it is
// retried. A pure function of the thrown value, the attempt and the work that failed; the controller acts on it.
import { PermanentError, TemporaryError } from '../../errors.js';
import type { HandlerRunOutcome, ReconcileResult, StatusWriteFailureClass } from '../metrics/metrics.js';
import { ChildObjectError } from '../run/apply-child.js';
import { FinalizerError } from '../run/finalizers.js';
import {
  InvalidStatusError,
  ObjectGoneError,
  StatusSubresourceMissingError,
  StatusTooLargeError,
  StatusWriteError,
  statusFailureClass,
} from '../run/status-errors.js';
import { HandlerTimeoutError } from '../run/supervise.js';
import { describeThrown } from '../run/thrown.js';

/** The work that failed. */
export type FailedWork =
  /** No run started: deciding or reading failed. */
  | { kind: 'none' }
  /** A handler run, and the finalizer steps done with it. */
  | { kind: 'call'; handler: string; what: string; removeFinalizer: boolean }
  /** A step apart from a handler run: adding or removing the finalizer, sending an owed status again. */
  | { kind: 'step'; what: string };

export interface FailureInput {
  /** What was thrown, whatever its type. */
  thrown: unknown;
  work: FailedWork;
  /** `namespace/name` of the object. */
  key: string;
  /** This failure's number since the object last succeeded (1 for the first). */
  attempt: number;
  /** The queue's backoff for this attempt, in ms. */
  backoffMs: number;
  /** In how many ms a run already held back for this object is due, if one is: a retry comes no later. */
  heldMs?: number;
  /** The operator is stopping: the failure is the shutdown's doing. */
  shuttingDown: boolean;
}

export type LogLevel = 'error' | 'warn' | 'info';

export interface FailureDecision {
  log: { level: LogLevel; message: string; fields: Record<string, unknown> };
  /** A Warning Event on the object. */
  event?: { reason: string; message: string };
  /**
   * Report once until the object changes (its generation), not at every failure: the same run fails the same way.
   * `log-per-resource` logs once per resource and still records the Event on each object.
   */
  reportOnce?: 'per-generation' | 'log-per-resource';
  /** controller_runtime_reconcile_total's result. */
  result: ReconcileResult;
  /** kubeop_handler_runs_total's outcome, for a handler run. */
  handlerOutcome?: HandlerRunOutcome;
  /** A status write that failed for good. */
  statusFailure?: StatusWriteFailureClass;
  /** The run passed its timeout (controller_runtime_reconcile_timeouts_total). */
  timedOut: boolean;
  /** Run again after `delayMs` (a failure counted by the queue), or give up until the object changes. */
  retry?: { delayMs: number };
  /** A deletion whose @OnDeleted gave up: release the finalizer rather than block the deletion for ever. */
  releaseFinalizer?: boolean;
}

/**
 * Failures no retry can fix: they say what to change in the handler, the CRD or the object. `Permanent` is the
 * author's own verdict; the others are the runtime's.
 */
function permanentReason(thrown: unknown): string | undefined {
  if (thrown instanceof PermanentError) return 'PermanentFailure';
  if (thrown instanceof ChildObjectError) return 'InvalidChild';
  if (thrown instanceof InvalidStatusError) return 'InvalidStatus';
  if (thrown instanceof StatusTooLargeError) return 'StatusTooLarge';
  if (thrown instanceof StatusSubresourceMissingError) return 'StatusNotWritten';
  return undefined;
}

export function failurePolicy(input: FailureInput): FailureDecision {
  const { thrown, work, key, attempt } = input;
  const timedOut = thrown instanceof HandlerTimeoutError;
  const statusFailure = thrown instanceof StatusWriteError ? statusFailureClass(thrown) : undefined;
  // A status that could not be written is not a failed handler: the handler's run itself succeeded.
  const handlerOutcome: HandlerRunOutcome | undefined =
    work.kind !== 'call' || thrown instanceof FinalizerError
      ? undefined
      : statusFailure
        ? 'success'
        : timedOut
          ? 'timeout'
          : permanentReason(thrown)
            ? 'permanent'
            : 'error';
  const counted = { timedOut, handlerOutcome, statusFailure };
  const described = describeThrown(thrown);
  const fields: Record<string, unknown> = { object: key };
  if (work.kind === 'none') {
    return {
      ...counted,
      log: { level: 'error', message: `processing ${key} failed: ${described}`, fields },
      result: 'error',
    };
  }
  const what = thrown instanceof FinalizerError ? 'finalizer update' : work.what;
  if (input.shuttingDown) {
    const message = `${what} for ${key} ended by the shutdown: ${described}`;
    return { ...counted, log: { level: 'warn', message, fields }, result: 'error' };
  }
  if (thrown instanceof ObjectGoneError) {
    return { ...counted, log: { level: 'info', message: thrown.message, fields }, result: 'success' };
  }
  const stack = thrown instanceof Error ? thrown.stack : undefined;
  if (work.kind === 'call') fields.handler = work.handler;
  const permanent = permanentReason(thrown);
  if (permanent) {
    const runtimeSays = permanent !== 'PermanentFailure';
    const message = runtimeSays ? described : `${what} for ${key} failed permanently, not retrying: ${described}`;
    if (thrown instanceof InvalidStatusError) fields.fields = thrown.fields;
    if (thrown instanceof StatusTooLargeError)
      Object.assign(fields, { bytes: thrown.bytes, limitBytes: thrown.limitBytes });
    const decision: FailureDecision = {
      ...counted,
      log: { level: 'error', message, fields: { ...fields, permanent: true, ...(runtimeSays ? {} : { stack }) } },
      event: { reason: permanent, message: runtimeSays ? described : `${what} failed permanently: ${described}` },
      result: 'terminal_error',
    };
    if (permanent === 'InvalidChild' || permanent === 'InvalidStatus' || permanent === 'StatusTooLarge')
      decision.reportOnce = 'per-generation';
    if (permanent === 'StatusNotWritten') decision.reportOnce = 'log-per-resource';
    // A deletion must not hang forever on a handler that gave up: release the finalizer.
    if (work.kind === 'call' && work.removeFinalizer) decision.releaseFinalizer = true;
    return decision;
  }
  const wanted = thrown instanceof TemporaryError ? thrown.delaySeconds * 1000 : input.backoffMs;
  const delayMs = input.heldMs === undefined ? wanted : Math.min(wanted, input.heldMs);
  const reported =
    thrown instanceof FinalizerError || timedOut ? (thrown as Error).message : `${what} failed: ${described}`;
  const reason = timedOut ? 'HandlerTimeout' : thrown instanceof FinalizerError ? 'FinalizerFailed' : 'HandlerFailed';
  return {
    ...counted,
    log: {
      level: 'error',
      message: `${reported} (attempt ${attempt}); retrying in ${(delayMs / 1000).toFixed(1)} s`,
      fields: { ...fields, attempt, retryInSeconds: delayMs / 1000, ...(timedOut ? {} : { stack }) },
    },
    event: { reason, message: reported },
    result: 'error',
    retry: { delayMs },
  };
}
