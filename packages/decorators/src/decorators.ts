// The decorators an operator author uses; each only normalises its options and writes one record.
import type {
  ArgOptions,
  CustomResourceOptions,
  OnAddedOptions,
  OnDeletedOptions,
  OnModifiedOptions,
} from './options.js';
import type { ResourceEvent } from './records.js';
import { type EventOptions, type HandlerClass, recordArg, recordCustomResource, recordEventHandler } from './registry.js';

/** Marks a class as the handler of one custom resource. */
export function CustomResource(options: CustomResourceOptions): ClassDecorator {
  return (target) => recordCustomResource(target as unknown as HandlerClass, options);
}

/** Called for a new object, and for every object listed at start-up, while it has no `status.state`. */
export const OnAdded = (options?: OnAddedOptions): MethodDecorator => eventHandler('added', options);

/** Called when an object's spec changed (its `metadata.generation`), or on every change with `everyChange`. */
export const OnModified = (options?: OnModifiedOptions): MethodDecorator => eventHandler('modified', options);

/**
 * Called when an object is deleted.
 *
 * Guarantees: by default kubeop puts a finalizer on each object it handles, so the object stays
 * until this handler succeeded, even if the operator was down when the deletion was requested.
 * Caveats: with `{ finalizer: false }` a DELETED event missed while the operator was down is never
 * delivered; an object force-deleted by removing the finalizer is handled best-effort.
 */
export const OnDeleted = (options?: OnDeletedOptions): MethodDecorator => eventHandler('deleted', options);

/** Turns a property into a command-line flag (and environment variable) whose value is injected. */
export function Arg(options?: ArgOptions): PropertyDecorator {
  return (prototype, property) => {
    if (typeof property !== 'string') throw new TypeError('@Arg() needs a string property name, not a symbol');
    recordArg(prototype, property, options);
  };
}

function eventHandler(event: ResourceEvent, options?: EventOptions): MethodDecorator {
  return (prototype, method) => recordEventHandler(prototype, method, event, options);
}
