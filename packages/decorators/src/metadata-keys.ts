// Every metadata key kubeop writes, in one place; Symbol.for so two installed copies of the package agree.
export const CUSTOM_RESOURCE_KEY = Symbol.for('kubeop:custom-resource');
export const EVENT_HANDLERS_KEY = Symbol.for('kubeop:event-handlers');
export const ARGS_KEY = Symbol.for('kubeop:args');
export const OWNS_KEY = Symbol.for('kubeop:owns');
export const TIMERS_KEY = Symbol.for('kubeop:timers');
/**
 * Not metadata, but a key all copies must agree on too: a function `kubeop manifests` sets on globalThis while it
 * imports an entry script; bootstrap() hands it the handler classes and returns instead of running the operator.
 */
export const BOOTSTRAP_CAPTURE_KEY = Symbol.for('kubeop:bootstrap-capture');
export const WEBHOOKS_KEY = Symbol.for('kubeop:webhooks');
export const CONVERSIONS_KEY = Symbol.for('kubeop:conversions');
