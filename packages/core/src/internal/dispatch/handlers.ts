// Which handler of a class a run calls, and the name logs, Events, metrics and retry reasons give it.
import { type EventHandlerRecord, handlerName } from '@kubeop/decorators';
import type { EventKind, ResourceDescription } from '../../explorer.js';

/** A handler of a class: an event kind, or the timer at that index of `description.timers`. */
export type HandlerRef = EventKind | `timer:${number}`;

export function isTimer(ref: HandlerRef): ref is `timer:${number}` {
  return ref.startsWith('timer:');
}

export function timerIndex(ref: `timer:${number}`): number {
  return Number(ref.slice('timer:'.length));
}

export function timerMethod(description: ResourceDescription, index: number): string {
  return String(description.timers[index]?.method);
}

/** `@OnAdded`, `@OnTimer(method)`: the name of a class's handler, by @kubeop/decorators' handlerName. */
export function handlerNameOf(description: ResourceDescription, ref: HandlerRef): string {
  return handlerName(handlerRecord(description, ref));
}

export function handlerRecord(description: ResourceDescription, ref: HandlerRef): EventHandlerRecord {
  const record = isTimer(ref) ? description.timers[timerIndex(ref)] : description.handlers[ref];
  if (!record) throw new Error(`${description.handlerClass.name} has no ${ref} handler`);
  return record;
}

export function handlerExists(description: ResourceDescription, ref: HandlerRef): boolean {
  return isTimer(ref) ? description.timers[timerIndex(ref)] !== undefined : description.handlers[ref] !== undefined;
}
