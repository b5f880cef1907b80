// Every metadata key kubeop writes, in one place; Symbol.for so two installed copies of the package agree.
export const CUSTOM_RESOURCE_KEY = Symbol.for('kubeop:custom-resource');
export const EVENT_HANDLERS_KEY = Symbol.for('kubeop:event-handlers');
export const ARGS_KEY = Symbol.for('kubeop:args');
export const OWNS_KEY = Symbol.for('kubeop:owns');
export const TIMERS_KEY = Symbol.for('kubeop:timers');
export const CONVERSIONS_KEY = Symbol.for('kubeop:conversions');
