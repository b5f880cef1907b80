// What the pause annotation and the Paused condition say about an object; pure functions the controller acts on.
import type { KubeObject } from '../../kube/objects.js';
import { NOT_PAUSED_REASON, PAUSED_ANNOTATION, PAUSED_CONDITION, PAUSED_REASON, PAUSED_VALUE } from '../../pause.js';
import type { WatchEvent } from '../types/watch-event.js';

/** A `metav1.Condition`, as far as kubeop reads and writes one. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
  [field: string]: unknown;
}

export function isPaused(object: KubeObject): boolean {
  return object.metadata.annotations?.[PAUSED_ANNOTATION] === PAUSED_VALUE;
}

/** What a watch event says about the pause. */
export interface PauseNews {
  /** The object became paused or unpaused (MODIFIED only: an ADDED object is queued anyway). */
  change?: 'paused' | 'unpaused';
  /** A value other than "true", "false" or "": it does not pause, which whoever set it may not expect. */
  unknownValue?: string;
}

/** Undefined for nearly every event (the annotation is on neither side, or did not change): one lookup each side. */
export function pauseNews(event: WatchEvent): PauseNews | undefined {
  if (event.type === 'DELETED') return undefined;
  const value = event.object.metadata.annotations?.[PAUSED_ANNOTATION];
  const before = event.previous?.metadata.annotations?.[PAUSED_ANNOTATION];
  if (value === before) return undefined;
  const news: PauseNews = {};
  if (event.type === 'MODIFIED' && event.previous) {
    const paused = value === PAUSED_VALUE;
    if (paused !== (before === PAUSED_VALUE)) news.change = paused ? 'paused' : 'unpaused';
  }
  if (value !== undefined && value !== PAUSED_VALUE && value !== 'false' && value !== '') news.unknownValue = value;
  return news.change || news.unknownValue !== undefined ? news : undefined;
}

/** The object's `status.conditions` when it is a list (undefined when absent; null when something else is there). */
function conditionsOf(object: KubeObject): Condition[] | undefined | null {
  const status = object.status;
  if (status === undefined || status === null) return undefined;
  if (typeof status !== 'object' || Array.isArray(status)) return null;
  const conditions = (status as { conditions?: unknown }).conditions;
  if (conditions === undefined || conditions === null) return undefined;
  return Array.isArray(conditions) ? (conditions as Condition[]) : null;
}

/** The Paused condition kubeop wrote (its reason says so); an author's own `Paused` condition is not it. */
function kubeopPausedCondition(conditions: Condition[] | undefined | null): Condition | undefined {
  return conditions?.find(
    (c) => c?.type === PAUSED_CONDITION && (c.reason === PAUSED_REASON || c.reason === NOT_PAUSED_REASON),
  );
}

/** Whether the object's status still says kubeop paused it (`Paused` "True" with kubeop's reason). */
export function showsPaused(object: KubeObject): boolean {
  const condition = kubeopPausedCondition(conditionsOf(object));
  return condition?.status === 'True' && condition.reason === PAUSED_REASON;
}

/**
 * The `status.conditions` to write so that the object shows `paused`, or undefined when it shows it already (or
 * when `status.conditions` is something other than a list: not kubeop's to replace). Every other condition is kept.
 * Unpaused, an object kubeop never paused gets no condition; one it paused gets `Paused` "False".
 */
export function pausedConditions(object: KubeObject, paused: boolean, now: Date): Condition[] | undefined {
  const conditions = conditionsOf(object);
  if (conditions === null) return undefined;
  if (paused === showsPaused(object)) return undefined;
  const list = conditions ?? [];
  const condition: Condition = {
    type: PAUSED_CONDITION,
    status: paused ? 'True' : 'False',
    reason: paused ? PAUSED_REASON : NOT_PAUSED_REASON,
    message: paused
      ? `the annotation ${PAUSED_ANNOTATION} is "${PAUSED_VALUE}": kubeop runs no handler for this object, deletion included, until it is removed`
      : `the annotation ${PAUSED_ANNOTATION} was removed: handlers run again`,
    // metav1.Time: RFC 3339 to the second.
    lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(object.metadata.generation !== undefined ? { observedGeneration: object.metadata.generation } : {}),
  };
  const index = list.findIndex((c) => c?.type === PAUSED_CONDITION);
  return index < 0 ? [...list, condition] : list.map((c, i) => (i === index ? condition : c));
}

/**
 * Whether kubeop's Paused condition moved between two states of an object: no news to a handler, compared only for
 * `everyChange` handlers (the others never run for a status change).
 */
export function pausedConditionMoved(previous: KubeObject, object: KubeObject): boolean {
  const was = kubeopPausedCondition(conditionsOf(previous));
  const is = kubeopPausedCondition(conditionsOf(object));
  return was !== is && JSON.stringify(was) !== JSON.stringify(is);
}

/** The object without kubeop's Paused condition, to compare what else changed. */
export function withoutPausedCondition(object: KubeObject): KubeObject {
  const conditions = conditionsOf(object);
  const ours = kubeopPausedCondition(conditions);
  if (!ours || !conditions) return object;
  const { conditions: _all, ...status } = object.status as Record<string, unknown>;
  const others = conditions.filter((c) => c !== ours);
  // Adding the first condition adds the list (and the status): without it, the object is as it was.
  const rest = others.length ? { ...status, conditions: others } : status;
  const { status: _status, ...withoutStatus } = object;
  return Object.keys(rest).length ? { ...withoutStatus, status: rest } : withoutStatus;
}
