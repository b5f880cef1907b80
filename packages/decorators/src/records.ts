// What the decorators store: normalised records, kept apart from the user-facing options.
import type { AdmissionOperation, ArgType, PrinterColumn, RateLimitOptions } from './options.js';

export type ResourceScope = 'Namespaced' | 'Cluster';

/** One resource type, as `@Owns` names it. */
export interface ResourceTypeRecord {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** What `@Owns` stores: the owned type and how it is cached. */
export interface OwnedTypeRecord extends ResourceTypeRecord {
  metadataOnly: boolean;
}

/** What `@CustomResource` and `@Resource` store; `custom` tells them apart (only a custom resource has a CRD to create). */
export interface ResourceRecord extends ResourceTypeRecord {
  custom: boolean;
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
  singular: string;
  shortNames: string[];
  scope: ResourceScope;
  schema: Record<string, unknown> | undefined;
  categories: string[];
  /** The CRD's printer columns (a custom resource's; empty for `@Resource`). */
  columns: PrinterColumn[];
  finalizer: string | undefined;
  keepManagedFields: boolean;
  /** Handler runs per object: at most `runs` within any `perSeconds` seconds; undefined means no limit. */
  rateLimit: RateLimitOptions | undefined;
}

/** What happened to an object, as the edge-triggered handlers see it. */
export type ResourceEvent = 'added' | 'modified' | 'deleted';

/** Every kind of handler: the three event handlers, the level-triggered reconcile, and timers. */
export type HandlerKind = ResourceEvent | 'reconcile' | 'timer';

export interface EventHandlerRecord {
  event: HandlerKind;
  method: string | symbol;
  skipWhenStateSet: boolean;
  everyChange: boolean;
  finalizer: boolean;
  /** Seconds; undefined means the operator's default. */
  timeout: number | undefined;
}

export interface TimerRecord extends EventHandlerRecord {
  event: 'timer';
  /** Seconds. */
  interval: number;
  /** Seconds. */
  initialDelay: number;
}

export interface ArgRecord {
  property: string;
  /** The design type TypeScript emitted for the property (`String`, `Number`, …), if any. */
  designType: unknown;
  name: string | undefined;
  type: ArgType | undefined;
  description: string | undefined;
  default: string | number | boolean | string[] | undefined;
  required: boolean;
  choices: ReadonlyArray<string | number> | undefined;
  alias: string[];
  env: string | false | undefined;
}

/** An admission webhook method: `validate` (`@OnValidate`) or `mutate` (`@OnMutate`). */
export type WebhookType = 'validate' | 'mutate';

export interface WebhookRecord {
  type: WebhookType;
  method: string | symbol;
  operations: AdmissionOperation[];
  /** Seconds (the configuration's timeoutSeconds). */
  timeout: number;
  failurePolicy: 'Fail' | 'Ignore';
}

/** Which way a converter goes: `from` an older version to the storage version, or from it `to` the older one. */
export type ConversionDirection = 'from' | 'to';

/** What `@ConvertFrom` and `@ConvertTo` store, one per decorated method. */
export interface ConversionRecord {
  direction: ConversionDirection;
  /** The other served version, e.g. `v1`. */
  version: string;
  method: string | symbol;
  /** The deprecation warning; `true` for the API server's own; undefined when not deprecated. */
  deprecated: string | boolean | undefined;
}
