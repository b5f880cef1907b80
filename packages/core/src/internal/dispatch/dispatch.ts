// Decides, from what happened to an object and its latest state, which handler runs next.
// Pure functions: the controller applies the decision.
import { handlerName } from '@kubeop/decorators';
import type { SpanContext } from '@opentelemetry/api';
import type { ResourceDescription } from '../../explorer.js';
import { type KubeObject, stateOf } from '../../kube/objects.js';
import type { RunReason } from '../../reasons.js';
import type { WatchEvent } from '../types/watch-event.js';
import { handlerExists, handlerNameOf, type HandlerRef, isTimer, timerIndex, timerMethod } from './handlers.js';
import { pausedConditionMoved, withoutPausedCondition } from './pause.js';
import { PAUSED_ANNOTATION } from '../../pause.js';
import { mergeReasons } from './reasons.js';
import { composeMergePatches } from '../util/merge-patch.js';
import { mergeLinks } from '../trace/links.js';

/** What is still to be done for one object; several events collapse into one intent. */
export interface Intent {
  added: boolean;
  modified: boolean;
  /** Finalizer bookkeeping only (add it, or finish a deletion). */
  sync: boolean;
  /** The last state of an object that is gone. */
  deleted?: KubeObject;
  /**
   * A run of this handler that failed or asked to be requeued and is owed again. The state rule is
   * about first sight only: an owed run is not filtered by it (nor @OnModified by its generation).
   */
  retry?: HandlerRef;
  /**
   * Something besides the object's own spec asks for a run (an owned object changed, a resync): runs
   * @OnReconcile, else @OnModified whatever the generation.
   */
  nudged?: boolean;
  /** Indexes of due `@OnTimer` handlers. */
  timers?: number[];
  /** A status merge patch a successful run could not write: sent again before anything else runs. */
  status?: unknown;
  /** Why, since the object's last run. */
  reasons?: RunReason[];
  /** The spans of the events behind it (traces on only), newest last, bounded. */
  links?: SpanContext[];
}

export type Action =
  | {
      kind: 'call';
      handler: HandlerRef;
      object: KubeObject;
      addFinalizer: boolean;
      removeFinalizer: boolean;
      reasons: RunReason[];
    }
  | { kind: 'addFinalizer'; object: KubeObject }
  | { kind: 'removeFinalizer'; object: KubeObject }
  | { kind: 'skip'; reason: string };

export interface Decision {
  action: Action;
  /** Work left for another round, e.g. the new object after the deletion of an old one of the same name. */
  rest: Intent | undefined;
}

/** An intent with nothing to do yet: the base every trigger adds its part to. */
export const NOTHING: Intent = { added: false, modified: false, sync: false };

/** Annotation recording the generation whose @OnAdded/@OnModified run last succeeded. */
export const HANDLED_GENERATION_ANNOTATION = 'kubeop.dev/handled-generation';

/**
 * Annotation naming a handler whose failed run is owed again (`added`): set when the run failed where the state
 * rule would skip it after a restart (it may have written status.state), removed once a run of it succeeds.
 */
export const OWED_RUN_ANNOTATION = 'kubeop.dev/owed-run';

/** The owed run an object's annotation records, if it names a handler of this class. */
export function owedRun(object: KubeObject, description: ResourceDescription): HandlerRef | undefined {
  const value = object.metadata.annotations?.[OWED_RUN_ANNOTATION];
  if (value === undefined || !/^(added|modified|reconcile|timer:\d+)$/.test(value)) return undefined;
  const ref = value as HandlerRef;
  return handlerExists(description, ref) ? ref : undefined;
}

/**
 * Whether a change is only kubeop's own bookkeeping (its annotations, the resourceVersion, the pause annotation and
 * the Paused condition): no news to a handler.
 */
export function onlyBookkeepingChanged(previous: KubeObject, object: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    o = withoutPausedCondition(o);
    const {
      resourceVersion: _v,
      managedFields: _m,
      annotations = {},
      ...metadata
    } = o.metadata as KubeObject['metadata'] & Record<string, unknown>;
    const {
      [HANDLED_GENERATION_ANNOTATION]: _h,
      [OWED_RUN_ANNOTATION]: _o,
      [PAUSED_ANNOTATION]: _p,
      ...others
    } = annotations;
    return JSON.stringify({ ...o, metadata: { ...metadata, annotations: others } });
  };
  return strip(previous) === strip(object);
}

function bookkeepingMoved(previous: KubeObject, object: KubeObject): boolean {
  const before = previous.metadata.annotations ?? {};
  const after = object.metadata.annotations ?? {};
  return [HANDLED_GENERATION_ANNOTATION, OWED_RUN_ANNOTATION, PAUSED_ANNOTATION].some(
    (name) => before[name] !== after[name],
  );
}

export function handledGeneration(object: KubeObject): number | undefined {
  const value = object.metadata.annotations?.[HANDLED_GENERATION_ANNOTATION];
  return value === undefined ? undefined : Number(value);
}

export function intentFor(event: WatchEvent, description: ResourceDescription): Intent | undefined {
  const { object, previous } = event;
  if (event.type === 'ADDED') {
    // First sight (start-up, relist): a spec changed since the last handled run was missed while nobody watched.
    const handled = handledGeneration(object);
    const modified = description.handlers.modified;
    const missedChange =
      !!modified && !modified.everyChange && handled !== undefined && handled < (object.metadata.generation ?? 0);
    // A run that failed before a restart is owed whatever the state rule says.
    const owed = owedRun(object, description);
    const first: RunReason = { type: event.initial ? 'startup' : 'added' };
    return {
      ...NOTHING,
      added: true,
      modified: missedChange,
      ...(owed ? { retry: owed } : {}),
      reasons: owed ? [first, { type: 'retry', handler: handlerNameOf(description, owed), attempt: 2 }] : [first],
    };
  }
  if (event.type === 'DELETED') return { ...NOTHING, deleted: object, reasons: [{ type: 'deleted' }] };
  const changeHandler = description.handlers.modified ?? description.handlers.reconcile;
  // kubeop's own notes on the object (an owed run, the handled generation, the pause) are no news to anyone; pausing
  // and unpausing queue what they need themselves (controller/pause-gate.ts).
  const moved =
    previous &&
    (bookkeepingMoved(previous, object) || (!!changeHandler?.everyChange && pausedConditionMoved(previous, object)));
  if (moved && onlyBookkeepingChanged(previous, object)) return undefined;
  const oldGeneration = previous?.metadata.generation;
  const newGeneration = object.metadata.generation;
  const specChanged = newGeneration !== oldGeneration;
  const deleting = !!object.metadata.deletionTimestamp;
  const modified = !!changeHandler && !deleting && (changeHandler.everyChange || specChanged);
  const sync = needsFinalizerWork(object, description.finalizer);
  if (!modified && !sync) return undefined;
  const reason: RunReason = deleting
    ? { type: 'deleted' }
    : specChanged
      ? { type: 'spec-changed', oldGeneration, newGeneration }
      : { type: 'changed' };
  return { ...NOTHING, modified, sync, reasons: [reason] };
}

export function mergeIntents(older: Intent | undefined, newer: Intent): Intent {
  if (!older) return newer;
  const timers = [...new Set([...(older.timers ?? []), ...(newer.timers ?? [])])];
  const reasons = mergeReasons(older.reasons, newer.reasons);
  return {
    added: older.added || newer.added,
    modified: older.modified || newer.modified,
    sync: older.sync || newer.sync,
    deleted: newer.deleted ?? older.deleted,
    retry: owedOf(older.retry, newer.retry),
    ...(older.nudged || newer.nudged ? { nudged: true } : {}),
    ...(timers.length ? { timers } : {}),
    ...(newer.status !== undefined
      ? { status: older.status === undefined ? newer.status : composeMergePatches(older.status, newer.status) }
      : older.status !== undefined
        ? { status: older.status }
        : {}),
    ...(reasons.length ? { reasons } : {}),
    ...(older.links || newer.links ? { links: mergeLinks(older.links, newer.links) } : {}),
  };
}

/**
 * One owed run stands for both: an owed @OnAdded covers a later spec change too (it sees the latest object), and
 * the main handler's over a timer's (a timer ticks again anyway); else the newer.
 */
function owedOf(older: HandlerRef | undefined, newer: HandlerRef | undefined): HandlerRef | undefined {
  if (older === 'added' || newer === 'added') return 'added';
  if (older && newer && isTimer(newer) && !isTimer(older)) return older;
  return newer ?? older;
}

/**
 * @param live the latest known state, undefined when the object is gone
 * @param handledDeletions uids whose @OnDeleted already succeeded (their finalizer is being removed)
 */
export function decide(
  intent: Intent,
  live: KubeObject | undefined,
  description: ResourceDescription,
  handledDeletions: ReadonlySet<string>,
): Decision {
  const { handlers, finalizer } = description;
  const { deleted } = intent;
  const reasons = intent.reasons ?? [];
  if (deleted && live?.metadata.uid !== deleted.metadata.uid) {
    const rest = live && hasWork(intent) ? withoutDeletion(intent) : undefined;
    if (handledDeletions.has(uidOf(deleted)))
      return { action: { kind: 'skip', reason: 'deletion already handled' }, rest };
    if (!handlers.deleted) return { action: { kind: 'skip', reason: 'no @OnDeleted handler' }, rest };
    return { action: call('deleted', deleted, [{ type: 'deleted' }]), rest };
  }
  if (!live) return { action: { kind: 'skip', reason: 'object is gone' }, rest: undefined };

  const hasFinalizer = !!finalizer && (live.metadata.finalizers ?? []).includes(finalizer);
  if (live.metadata.deletionTimestamp) {
    if (!hasFinalizer) return { action: { kind: 'skip', reason: 'being deleted by others' }, rest: undefined };
    if (handledDeletions.has(uidOf(live)))
      return { action: { kind: 'removeFinalizer', object: live }, rest: undefined };
    return { action: { ...call('deleted', live, [{ type: 'deleted' }]), removeFinalizer: true }, rest: undefined };
  }

  const addFinalizer = !!finalizer && !hasFinalizer;
  const timers = intent.timers ?? [];
  const main = mainHandler(intent, live, description);
  if (main && main !== 'skip') {
    const action = { ...call(main, live, reasonsOf(main, reasons, description)), addFinalizer };
    // An owed timer run covers its own tick only; the object's other work is still to do.
    if (isTimer(main)) return { action, rest: restAfterTimer(intent, timerIndex(main), description) };
    return { action, rest: timers.length ? timersOnly(intent, timers, description) : undefined };
  }
  if (timers.length) {
    const [first, ...others] = timers as [number, ...number[]];
    const ref: HandlerRef = `timer:${first}`;
    const rest = others.length ? timersOnly(intent, others, description) : undefined;
    return { action: { ...call(ref, live, reasonsOf(ref, reasons, description)), addFinalizer }, rest };
  }
  if (main === 'skip')
    return { action: { kind: 'skip', reason: `status.state is "${String(stateOf(live))}"` }, rest: undefined };
  if (addFinalizer) return { action: { kind: 'addFinalizer', object: live }, rest: undefined };
  return { action: { kind: 'skip', reason: 'nothing to do' }, rest: undefined };
}

/**
 * The handler for everything but timer ticks; 'skip' when only the state rule stops @OnAdded (and no finalizer
 * is missing, so nothing else needs doing).
 */
function mainHandler(
  intent: Intent,
  live: KubeObject,
  description: ResourceDescription,
): HandlerRef | 'skip' | undefined {
  const { handlers, finalizer } = description;
  if (intent.retry && handlerExists(description, intent.retry)) return intent.retry;
  const changed = intent.added || intent.modified || !!intent.nudged;
  // Level-triggered: every reason runs it, with no state rule.
  if (handlers.reconcile) return changed ? 'reconcile' : undefined;
  const stateSet = stateOf(live) !== undefined && stateOf(live) !== null;
  if (intent.added && handlers.added && !(handlers.added.skipWhenStateSet && stateSet)) return 'added';
  if ((intent.modified || intent.nudged) && handlers.modified) return 'modified';
  const finalizerMissing = !!finalizer && !(live.metadata.finalizers ?? []).includes(finalizer);
  if (intent.added && handlers.added && !finalizerMissing && !intent.timers?.length) return 'skip';
  return undefined;
}

/** The timer method a reason belongs to (its tick, or the retry of its run); undefined for any other reason. */
function timerOf(reason: RunReason, description: ResourceDescription): string | undefined {
  if (reason.type === 'timer') return reason.method;
  if (reason.type !== 'retry') return undefined;
  const timer = description.timers.find((record) => handlerName(record) === reason.handler);
  return timer && String(timer.method);
}

/** A timer run sees its own tick (and its retry); every other run sees the rest. */
function reasonsOf(ref: HandlerRef, reasons: RunReason[], description: ResourceDescription): RunReason[] {
  if (isTimer(ref)) {
    const method = timerMethod(description, timerIndex(ref));
    const own = reasons.filter((reason) => timerOf(reason, description) === method);
    return own.length ? own : [{ type: 'timer', method }];
  }
  return reasons.filter((reason) => timerOf(reason, description) === undefined);
}

function timersOnly(intent: Intent, timers: number[], description: ResourceDescription): Intent {
  const methods = new Set(timers.map((index) => timerMethod(description, index)));
  const reasons = (intent.reasons ?? []).filter((reason) => reason.type === 'timer' && methods.has(reason.method));
  return { ...NOTHING, timers, reasons };
}

function restAfterTimer(intent: Intent, done: number, description: ResourceDescription): Intent | undefined {
  const timers = (intent.timers ?? []).filter((index) => index !== done);
  const method = timerMethod(description, done);
  const reasons = (intent.reasons ?? []).filter((reason) => timerOf(reason, description) !== method);
  const rest: Intent = { ...intent, retry: undefined, timers, reasons };
  return hasWork(rest) || timers.length ? rest : undefined;
}

/** The work left for the new object of the same name once the old one's deletion is handled. */
export function withoutDeletion(intent: Intent): Intent {
  const { deleted: _handled, reasons, ...rest } = intent;
  const left = (reasons ?? []).filter((reason) => reason.type !== 'deleted');
  return left.length ? { ...rest, reasons: left } : rest;
}

/** Whether an intent asks for a run besides a deletion (and a status owed, which is sent apart, first). */
export function hasWork(intent: Intent): boolean {
  return intent.added || intent.modified || intent.sync || !!intent.nudged || !!intent.retry || !!intent.timers?.length;
}

function needsFinalizerWork(object: KubeObject, finalizer: string | undefined): boolean {
  if (!finalizer) return false;
  const has = (object.metadata.finalizers ?? []).includes(finalizer);
  return object.metadata.deletionTimestamp ? has : !has;
}

function call(handler: HandlerRef, object: KubeObject, reasons: RunReason[]): Action & { kind: 'call' } {
  return { kind: 'call', handler, object, addFinalizer: false, removeFinalizer: false, reasons };
}

function uidOf(object: KubeObject): string {
  return object.metadata.uid ?? '';
}

/**
 * What a failed action's retry runs: a status the handler's run could not write (`unsent`) alone, not the handler
 * again; else the failed handler again, whatever status it wrote (the state rule is about first sight), with the
 * news its run did not see and the retry itself as reasons; else the same intent.
 */
export function retryIntent(
  intent: Intent,
  failed: Action | { kind: 'status'; patch: unknown },
  unsent: unknown,
  retryReason: RunReason & { type: 'retry' },
): Intent {
  if (failed.kind === 'status') return { ...intent, status: unsent ?? failed.patch };
  if (failed.kind === 'call' && unsent !== undefined) return { ...NOTHING, status: unsent };
  if (failed.kind !== 'call' || failed.handler === 'deleted') return intent;
  const seen = new Set(failed.reasons);
  const unseen = (intent.reasons ?? []).filter((reason) => !seen.has(reason));
  return { ...intent, retry: failed.handler, reasons: mergeReasons(unseen, [retryReason]) };
}
