// The decorators an operator author uses; each only normalises its options and writes one record.
import type {
  ArgOptions,
  ConvertOptions,
  CustomResourceOptions,
  OnAddedOptions,
  OnDeletedOptions,
  OnModifiedOptions,
  OnReconcileOptions,
  OnTimerOptions,
  OwnsOptions,
  ResourceOptions,
  ResourceTypeOptions,
  WebhookOptions,
} from './options.js';
import type { HandlerKind } from './records.js';
import {
  type EventOptions,
  type HandlerClass,
  recordArg,
  recordConversion,
  recordCustomResource,
  recordEventHandler,
  recordOwns,
  recordTimer,
  recordWebhook,
} from './registry.js';

/** Marks a class as the handler of one custom resource (defined by a CRD that `--create-crd` can create). */
export function CustomResource(options: CustomResourceOptions): ClassDecorator {
  return (target) => recordCustomResource(target as unknown as HandlerClass, options);
}

/** Marks a class as the handler of a resource that exists already: a built-in kind (`group: ''` for the core group) or one installed by others. */
export function Resource(options: ResourceOptions): ClassDecorator {
  return (target) => recordCustomResource(target as unknown as HandlerClass, options, false);
}

/**
 * Declares that the handled objects own objects of this type (repeatable). Every change to an object whose
 * controller owner reference points at a handled object runs that owner's `@OnReconcile` (or `@OnModified`).
 * `{ metadataOnly: true }` caches only the owned objects' metadata.
 */
export function Owns(type: ResourceTypeOptions, options?: OwnsOptions): ClassDecorator {
  return (target) => recordOwns(target as unknown as HandlerClass, type, options);
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

/**
 * Level-triggered: called for every reason an object may need work (first sight and start-up, spec change, owned
 * object changed, retry, requeue, resync), with the reasons in `this.reasons`. No state rule: it must be idempotent.
 * Replaces `@OnAdded` and `@OnModified`, which a class with `@OnReconcile` may not have.
 */
export const OnReconcile = (options?: OnReconcileOptions): MethodDecorator => eventHandler('reconcile', options);

/**
 * Called for each object every `interval` seconds while it exists and is not being deleted; never while another
 * run for the same object is going (that tick is skipped). A failed call is retried like any run.
 */
export function OnTimer(options: OnTimerOptions): MethodDecorator {
  return (prototype, method) => recordTimer(prototype, method, options);
}

/**
 * An admission check: the API server asks the operator before it stores an object (`(object, request)`). Return to
 * allow, throw `Denied` (from `@kubeop/core`) to refuse with a message; any other error, or passing `timeout`, denies
 * too. `request.warn()` adds a warning kubectl prints. The method must have no side effects: it also runs for dry
 * runs and for requests another webhook refuses later (the configuration says `sideEffects: None`).
 */
export function OnValidate(options?: WebhookOptions): MethodDecorator {
  return (prototype, method) => recordWebhook(prototype, method, 'validate', options);
}

/**
 * An admission default: changes the object it is given (or returns a new one) before the API server stores it;
 * kubeop sends the difference as a JSON patch. Denies as `@OnValidate` does. No side effects, likewise.
 */
export function OnMutate(options?: WebhookOptions): MethodDecorator {
  return (prototype, method) => recordWebhook(prototype, method, 'mutate', options);
}

/**
 * Declares another served version of the resource, with `@ConvertTo` on a second method: this method converts an
 * object of `version` to the class's own `version` (the storage version, the one every handler sees). It must be pure
 * and synchronous: `(old: CustomObject<OldSpec, OldStatus>) => CustomObject<Spec, Status>`.
 */
export function ConvertFrom(version: string, options?: ConvertOptions): MethodDecorator {
  return (prototype, method) => recordConversion(prototype, method, 'from', version, options);
}

/**
 * The other half of `@ConvertFrom(version)`: converts an object of the storage version to `version`. Fields `version`
 * cannot hold need no care: kubeop keeps them aside on the object (an annotation) and restores them on the way back.
 */
export function ConvertTo(version: string, options?: ConvertOptions): MethodDecorator {
  return (prototype, method) => recordConversion(prototype, method, 'to', version, options);
}

/** Turns a property into a command-line flag (and environment variable) whose value is injected. */
export function Arg(options?: ArgOptions): PropertyDecorator {
  return (prototype, property) => {
    if (typeof property !== 'string') throw new TypeError('@Arg() needs a string property name, not a symbol');
    recordArg(prototype, property, options);
  };
}

function eventHandler(event: Exclude<HandlerKind, 'timer'>, options?: EventOptions): MethodDecorator {
  return (prototype, method) => recordEventHandler(prototype, method, event, options);
}
