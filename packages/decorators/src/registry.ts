// The one writer of kubeop metadata; decorators and the decorator-free API both go through it.
import 'reflect-metadata';
import {
  ARGS_KEY,
  CONVERSIONS_KEY,
  CUSTOM_RESOURCE_KEY,
  EVENT_HANDLERS_KEY,
  OWNS_KEY,
  TIMERS_KEY,
  WEBHOOKS_KEY,
} from './metadata-keys.js';
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
  PrinterColumn,
  ResourceOptions,
  ResourceTypeOptions,
  WebhookOptions,
} from './options.js';
import type {
  ArgRecord,
  ConversionDirection,
  ConversionRecord,
  ResourceRecord,
  EventHandlerRecord,
  HandlerKind,
  OwnedTypeRecord,
  TimerRecord,
  WebhookRecord,
  WebhookType,
} from './records.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HandlerClass = abstract new (...args: any[]) => object;

export type EventOptions = OnAddedOptions & OnModifiedOptions & OnDeletedOptions & OnReconcileOptions;

/** What `kubectl get` shows of a custom resource unless its decorator says otherwise: kubeop's state rule and the age. */
const DEFAULT_COLUMNS: PrinterColumn[] = [
  { name: 'State', type: 'string', jsonPath: '.status.state' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** `custom`: the resource is defined by a CRD kubeop may create (`@CustomResource`), or exists already (`@Resource`). */
export function recordCustomResource(
  target: HandlerClass,
  options: CustomResourceOptions | ResourceOptions,
  custom = true,
): void {
  const crd: Partial<CustomResourceOptions> = custom ? options : {};
  const record: ResourceRecord = {
    group: options.group,
    version: options.version,
    plural: options.plural,
    kind: options.kind,
    custom,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    singular: crd.singular ?? options.kind?.toLowerCase(),
    shortNames: [...(crd.shortNames ?? [])],
    scope: options.scope ?? 'Namespaced',
    schema: crd.schema,
    categories: [...(crd.categories ?? [])],
    columns: custom ? (crd.columns ?? DEFAULT_COLUMNS).map((column) => ({ ...column })) : [],
    finalizer: options.finalizer,
    keepManagedFields: options.keepManagedFields ?? false,
    // A copy, so a shared options object changed later does not change the class; the explorer checks it.
    rateLimit: options.rateLimit === undefined ? undefined : { ...options.rateLimit },
  };
  Reflect.defineMetadata(CUSTOM_RESOURCE_KEY, record, target);
}

/** `@Owns` is repeatable: each call adds one owned type to the class. */
export function recordOwns(target: HandlerClass, type: ResourceTypeOptions, options: OwnsOptions = {}): void {
  const record: OwnedTypeRecord = {
    group: type.group,
    version: type.version,
    plural: type.plural,
    kind: type.kind,
    metadataOnly: options.metadataOnly ?? false,
  };
  appendOwn(OWNS_KEY, target, record);
}

export function recordTimer(prototype: object, method: string | symbol, options: OnTimerOptions): void {
  const record: TimerRecord = {
    event: 'timer',
    method,
    interval: options?.interval,
    initialDelay: options?.initialDelay ?? options?.interval,
    timeout: options?.timeout,
    skipWhenStateSet: false,
    everyChange: false,
    finalizer: false,
  };
  appendOwn(TIMERS_KEY, prototype, record);
}

export function recordEventHandler(
  prototype: object,
  method: string | symbol,
  event: Exclude<HandlerKind, 'timer'>,
  options: EventOptions = {},
): void {
  const record: EventHandlerRecord = {
    event,
    method,
    skipWhenStateSet: options.skipWhenStateSet ?? true,
    everyChange: options.everyChange ?? false,
    finalizer: options.finalizer ?? true,
    timeout: options.timeout,
  };
  appendOwn(EVENT_HANDLERS_KEY, prototype, record);
}

/** Operations a webhook is asked about unless it says otherwise, as controller-runtime's defaulters and validators. */
const DEFAULT_WEBHOOK_OPERATIONS = ['CREATE', 'UPDATE'] as const;
/** Seconds: the API server's own default for timeoutSeconds, and Pepr's and Shell-operator's. */
const DEFAULT_WEBHOOK_TIMEOUT = 10;

export function recordWebhook(
  prototype: object,
  method: string | symbol,
  type: WebhookType,
  options: WebhookOptions = {},
): void {
  const record: WebhookRecord = {
    type,
    method,
    operations: [...(options.operations ?? DEFAULT_WEBHOOK_OPERATIONS)],
    timeout: options.timeout ?? DEFAULT_WEBHOOK_TIMEOUT,
    failurePolicy: options.failurePolicy ?? 'Fail',
  };
  appendOwn(WEBHOOKS_KEY, prototype, record);
}

/** `@ConvertFrom(version)` or `@ConvertTo(version)`: one converter between the storage version and `version`. */
export function recordConversion(
  prototype: object,
  method: string | symbol,
  direction: ConversionDirection,
  version: string,
  options: ConvertOptions = {},
): void {
  const record: ConversionRecord = { direction, version, method, deprecated: options.deprecated };
  appendOwn(CONVERSIONS_KEY, prototype, record);
}

export function recordArg(prototype: object, property: string, options: ArgOptions = {}): void {
  const alias = options.alias === undefined ? [] : [options.alias].flat();
  const record: ArgRecord = {
    property,
    designType: Reflect.getMetadata('design:type', prototype, property),
    name: options.name,
    type: options.type,
    description: options.description,
    default: options.default,
    required: options.required ?? false,
    choices: options.choices,
    alias,
    env: options.env,
  };
  appendOwn(ARGS_KEY, prototype, record);
}

/** A method name, or a method name with the options its decorator would take. */
export type HandlerDefinition<O> = string | { method: string; options?: O };

/** Describes a handler class without decorators; writes exactly what the decorators write. */
export interface ResourceDefinition {
  /** What `@CustomResource` takes, or with `custom: false` what `@Resource` takes. */
  resource: CustomResourceOptions | ResourceOptions;
  /** Defaults to `true`: the resource is defined by a CRD (`@CustomResource`). */
  custom?: boolean;
  /** What `@Owns` takes: the owned type, with its `OwnsOptions` beside its fields. */
  owns?: Array<ResourceTypeOptions & OwnsOptions>;
  onAdded?: HandlerDefinition<OnAddedOptions>;
  onModified?: HandlerDefinition<OnModifiedOptions>;
  onDeleted?: HandlerDefinition<OnDeletedOptions>;
  onReconcile?: HandlerDefinition<OnReconcileOptions>;
  /** Method name → timer options. */
  timers?: Record<string, OnTimerOptions>;
  args?: Record<string, ArgOptions>;
  /** Method name → `@OnValidate` options. */
  validate?: Record<string, WebhookOptions>;
  /** Method name → `@OnMutate` options. */
  mutate?: Record<string, WebhookOptions>;
  /** Other served version → its two converters (method names), as `@ConvertFrom` and `@ConvertTo` declare them. */
  versions?: Record<string, VersionDefinition>;
}

/** The converters of one other served version, without decorators. */
export interface VersionDefinition extends ConvertOptions {
  /** The method converting an object of this version to the storage version (`@ConvertFrom`). */
  from: string;
  /** The method converting an object of the storage version to this version (`@ConvertTo`). */
  to: string;
}

export function defineResource(target: HandlerClass, definition: ResourceDefinition): void {
  recordCustomResource(target, definition.resource, definition.custom ?? true);
  for (const owned of definition.owns ?? []) recordOwns(target, owned, owned);
  const events: Array<[Exclude<HandlerKind, 'timer'>, HandlerDefinition<EventOptions> | undefined]> = [
    ['added', definition.onAdded],
    ['modified', definition.onModified],
    ['deleted', definition.onDeleted],
    ['reconcile', definition.onReconcile],
  ];
  for (const [event, handler] of events) {
    if (handler === undefined) continue;
    const { method, options } = typeof handler === 'string' ? { method: handler, options: {} } : handler;
    recordEventHandler(target.prototype, method, event, options);
  }
  for (const [method, options] of Object.entries(definition.timers ?? {}))
    recordTimer(target.prototype, method, options);
  for (const [method, options] of Object.entries(definition.validate ?? {}))
    recordWebhook(target.prototype, method, 'validate', options);
  for (const [method, options] of Object.entries(definition.mutate ?? {}))
    recordWebhook(target.prototype, method, 'mutate', options);
  for (const [version, { from, to, ...options }] of Object.entries(definition.versions ?? {})) {
    recordConversion(target.prototype, from, 'from', version, options);
    recordConversion(target.prototype, to, 'to', version, options);
  }
  for (const [property, options] of Object.entries(definition.args ?? {})) {
    recordArg(target.prototype, property, options);
  }
}

function appendOwn<T>(key: symbol, target: object, record: T): void {
  const existing: T[] = Reflect.getOwnMetadata(key, target) ?? [];
  Reflect.defineMetadata(key, [...existing, record], target);
}
