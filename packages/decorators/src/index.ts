// Public API of @kubeop/decorators.
export {
  Arg,
  ConvertFrom,
  ConvertTo,
  CustomResource,
  OnAdded,
  OnDeleted,
  OnModified,
  OnMutate,
  OnReconcile,
  OnTimer,
  OnValidate,
  Owns,
  Resource,
} from './decorators.js';
export { decoratorName, handlerName, isApiVersion, isDnsSubdomain, isKind, isResourceName } from './names.js';
export { defineResource, type HandlerClass, type ResourceDefinition, type VersionDefinition } from './registry.js';
export {
  ARGS_KEY,
  BOOTSTRAP_CAPTURE_KEY,
  CONVERSIONS_KEY,
  CUSTOM_RESOURCE_KEY,
  EVENT_HANDLERS_KEY,
  OWNS_KEY,
  TIMERS_KEY,
  WEBHOOKS_KEY,
} from './metadata-keys.js';
export type * from './options.js';
export type * from './records.js';
