// The one writer of kubeop metadata; decorators and the decorator-free API both go through it.
import 'reflect-metadata';
import { ARGS_KEY, CUSTOM_RESOURCE_KEY, EVENT_HANDLERS_KEY } from './metadata-keys.js';
import type {
  ArgOptions,
  CustomResourceOptions,
  OnAddedOptions,
  OnDeletedOptions,
  OnModifiedOptions,
} from './options.js';
import type { ArgRecord, CustomResourceRecord, EventHandlerRecord, ResourceEvent } from './records.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HandlerClass = abstract new (...args: any[]) => object;

export type EventOptions = OnAddedOptions & OnModifiedOptions & OnDeletedOptions;

export function recordCustomResource(target: HandlerClass, options: CustomResourceOptions): void {
  const record: CustomResourceRecord = {
    group: options.group,
    version: options.version,
    plural: options.plural,
    kind: options.kind,
    singular: options.singular ?? options.kind?.toLowerCase(),
    shortNames: [...(options.shortNames ?? [])],
    scope: options.scope ?? 'Namespaced',
    schema: options.schema,
    categories: [...(options.categories ?? [])],
    finalizer: options.finalizer,
  };
  Reflect.defineMetadata(CUSTOM_RESOURCE_KEY, record, target);
}

export function recordEventHandler(
  prototype: object,
  method: string | symbol,
  event: ResourceEvent,
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
  resource: CustomResourceOptions;
  onAdded?: HandlerDefinition<OnAddedOptions>;
  onModified?: HandlerDefinition<OnModifiedOptions>;
  onDeleted?: HandlerDefinition<OnDeletedOptions>;
  args?: Record<string, ArgOptions>;
}

export function defineResource(target: HandlerClass, definition: ResourceDefinition): void {
  recordCustomResource(target, definition.resource);
  const events: Array<[ResourceEvent, HandlerDefinition<EventOptions> | undefined]> = [
    ['added', definition.onAdded],
    ['modified', definition.onModified],
    ['deleted', definition.onDeleted],
  ];
  for (const [event, handler] of events) {
    if (handler === undefined) continue;
    const { method, options } = typeof handler === 'string' ? { method: handler, options: {} } : handler;
    recordEventHandler(target.prototype, method, event, options);
  }
  for (const [property, options] of Object.entries(definition.args ?? {})) {
    recordArg(target.prototype, property, options);
  }
}

function appendOwn<T>(key: symbol, target: object, record: T): void {
  const existing: T[] = Reflect.getOwnMetadata(key, target) ?? [];
  Reflect.defineMetadata(key, [...existing, record], target);
}
