// Decides, from what happened to an object and its latest state, which handler runs next.
// Pure functions: the controller applies the decision.
import type { ResourceEvent } from '@kubeop/decorators';
import type { ResourceDescription } from '../../explorer.js';
import { type AnyObject, stateOf } from '../../kube/objects.js';
import type { WatchEvent } from '../watch/watcher.js';

/** What is still to be done for one object; several events collapse into one intent. */
export interface Intent {
  added: boolean;
  modified: boolean;
  /** Finalizer bookkeeping only (add it, or finish a deletion). */
  sync: boolean;
  /** The last state of an object that is gone. */
  deleted?: AnyObject;
  /**
   * A run of this handler that failed or asked to be requeued and is owed again. The state rule is
   * about first sight only: an owed run is not filtered by it (nor @OnModified by its generation).
   */
  retry?: 'added' | 'modified';
}

export type Action =
  | { kind: 'call'; event: ResourceEvent; object: AnyObject; addFinalizer: boolean; removeFinalizer: boolean }
  | { kind: 'addFinalizer'; object: AnyObject }
  | { kind: 'removeFinalizer'; object: AnyObject }
  | { kind: 'skip'; reason: string };

export interface Decision {
  action: Action;
  /** Work left for another round, e.g. the new object after the deletion of an old one of the same name. */
  rest: Intent | undefined;
}

const NOTHING: Intent = { added: false, modified: false, sync: false };

/** Annotation recording the generation whose @OnAdded/@OnModified run last succeeded. */
export const HANDLED_GENERATION_ANNOTATION = 'kubeop.dev/handled-generation';

export function handledGeneration(object: AnyObject): number | undefined {
  const value = object.metadata.annotations?.[HANDLED_GENERATION_ANNOTATION];
  return value === undefined ? undefined : Number(value);
}

export function intentFor(event: WatchEvent, description: ResourceDescription): Intent | undefined {
  const { object, previous } = event;
  if (event.type === 'ADDED') {
    // First sight (start-up, relist): a spec changed since the last handled run was missed while nobody watched.
    const handled = handledGeneration(object);
    const modified = description.handlers.modified;
    const missedChange = !!modified && !modified.everyChange && handled !== undefined && handled < (object.metadata.generation ?? 0);
    return { ...NOTHING, added: true, modified: missedChange };
  }
  if (event.type === 'DELETED') return { ...NOTHING, deleted: object };
  const modifiedHandler = description.handlers.modified;
  const specChanged = object.metadata.generation !== previous?.metadata.generation;
  const modified = !!modifiedHandler && !object.metadata.deletionTimestamp && (modifiedHandler.everyChange || specChanged);
  const sync = needsFinalizerWork(object, description.finalizer);
  return modified || sync ? { ...NOTHING, modified, sync } : undefined;
}

export function mergeIntents(older: Intent | undefined, newer: Intent): Intent {
  if (!older) return newer;
  return {
    added: older.added || newer.added,
    modified: older.modified || newer.modified,
    sync: older.sync || newer.sync,
    deleted: newer.deleted ?? older.deleted,
    // An owed @OnAdded covers a later spec change too: it sees the latest object.
    retry: older.retry === 'added' || newer.retry === 'added' ? 'added' : (newer.retry ?? older.retry),
  };
}

/**
 * @param live the latest known state, undefined when the object is gone
 * @param handledDeletions uids whose @OnDeleted already succeeded (their finalizer is being removed)
 */
export function decide(
  intent: Intent,
  live: AnyObject | undefined,
  description: ResourceDescription,
  handledDeletions: ReadonlySet<string>,
): Decision {
  const { handlers, finalizer } = description;
  const { deleted } = intent;
  if (deleted && live?.metadata.uid !== deleted.metadata.uid) {
    const rest = live && (intent.added || intent.modified || intent.sync) ? { ...intent, deleted: undefined } : undefined;
    if (handledDeletions.has(uidOf(deleted))) return { action: { kind: 'skip', reason: 'deletion already handled' }, rest };
    if (!handlers.deleted) return { action: { kind: 'skip', reason: 'no @OnDeleted handler' }, rest };
    return { action: call('deleted', deleted), rest };
  }
  if (!live) return { action: { kind: 'skip', reason: 'object is gone' }, rest: undefined };

  const hasFinalizer = !!finalizer && (live.metadata.finalizers ?? []).includes(finalizer);
  if (live.metadata.deletionTimestamp) {
    if (!hasFinalizer) return { action: { kind: 'skip', reason: 'being deleted by others' }, rest: undefined };
    if (handledDeletions.has(uidOf(live))) return { action: { kind: 'removeFinalizer', object: live }, rest: undefined };
    return { action: { ...call('deleted', live), removeFinalizer: true }, rest: undefined };
  }

  const addFinalizer = !!finalizer && !hasFinalizer;
  if (intent.retry && handlers[intent.retry]) return { action: { ...call(intent.retry, live), addFinalizer }, rest: undefined };
  const stateSet = stateOf(live) !== undefined && stateOf(live) !== null;
  if (intent.added && handlers.added && !(handlers.added.skipWhenStateSet && stateSet)) {
    return { action: { ...call('added', live), addFinalizer }, rest: undefined };
  }
  if (intent.modified && handlers.modified) return { action: { ...call('modified', live), addFinalizer }, rest: undefined };
  if (intent.added && handlers.added && !addFinalizer) {
    return { action: { kind: 'skip', reason: `status.state is "${String(stateOf(live))}"` }, rest: undefined };
  }
  if (addFinalizer) return { action: { kind: 'addFinalizer', object: live }, rest: undefined };
  return { action: { kind: 'skip', reason: 'nothing to do' }, rest: undefined };
}

function needsFinalizerWork(object: AnyObject, finalizer: string | undefined): boolean {
  if (!finalizer) return false;
  const has = (object.metadata.finalizers ?? []).includes(finalizer);
  return object.metadata.deletionTimestamp ? has : !has;
}

function call(event: ResourceEvent, object: AnyObject): Action & { kind: 'call' } {
  return { kind: 'call', event, object, addFinalizer: false, removeFinalizer: false };
}

function uidOf(object: AnyObject): string {
  return object.metadata.uid ?? '';
}
