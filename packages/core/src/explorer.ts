// The one reader of kubeop metadata: walks a handler class, validates it and describes it, failing fast.
import 'reflect-metadata';
import {
  ARGS_KEY,
  type ArgRecord,
  type ArgType,
  CUSTOM_RESOURCE_KEY,
  type CustomResourceRecord,
  EVENT_HANDLERS_KEY,
  type EventHandlerRecord,
  type HandlerClass,
  type ResourceEvent,
} from '@kubeop/decorators';

export class InvalidHandlerError extends Error {
  override readonly name = 'InvalidHandlerError';
}

export interface ArgDescription extends ArgRecord {
  /** The flag without dashes, e.g. `my-argument`. */
  flag: string;
  type: ArgType;
}

export interface ResourceDescription {
  handlerClass: HandlerClass;
  resource: CustomResourceRecord;
  handlers: Partial<Record<ResourceEvent, EventHandlerRecord>>;
  args: ArgDescription[];
  /** The finalizer kubeop manages on objects, or undefined when deletion is best-effort. */
  finalizer: string | undefined;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

export function describeHandlerClass(handlerClass: HandlerClass): ResourceDescription {
  const className = handlerClass?.name || '(anonymous class)';
  if (typeof handlerClass !== 'function') {
    throw new InvalidHandlerError(`bootstrap() takes handler classes; got ${typeof handlerClass}`);
  }
  const resource: CustomResourceRecord | undefined = Reflect.getMetadata(CUSTOM_RESOURCE_KEY, handlerClass);
  if (!resource) {
    throw new InvalidHandlerError(`${className} is not decorated with @CustomResource({ group, version, plural, kind })`);
  }
  validateResource(className, resource);
  const handlers = collectHandlers(className, handlerClass);
  const args = collectArgs(className, handlerClass);
  const deleted = handlers.deleted;
  const finalizer = deleted?.finalizer ? (resource.finalizer ?? `${resource.group}/finalizer`) : undefined;
  return { handlerClass, resource, handlers, args, finalizer };
}

function validateResource(className: string, resource: CustomResourceRecord): void {
  const problems: string[] = [];
  const need = (field: keyof CustomResourceRecord, ok: boolean, rule: string) => {
    if (!ok) problems.push(`${field} ${resource[field] === undefined || resource[field] === '' ? 'is missing' : `"${String(resource[field])}" is invalid`} (${rule})`);
  };
  need('group', typeof resource.group === 'string' && DNS_SUBDOMAIN.test(resource.group) && resource.group.includes('.'), 'a DNS subdomain such as example.com');
  need('version', typeof resource.version === 'string' && VERSION.test(resource.version), 'such as v1, v1alpha1, v2beta3');
  need('plural', typeof resource.plural === 'string' && DNS_LABEL.test(resource.plural), 'lower case, such as testobjects');
  need('singular', typeof resource.singular === 'string' && DNS_LABEL.test(resource.singular), 'lower case, such as testobject');
  need('kind', typeof resource.kind === 'string' && KIND.test(resource.kind), 'CamelCase, such as TestObject');
  need('scope', resource.scope === 'Namespaced' || resource.scope === 'Cluster', "'Namespaced' or 'Cluster'");
  if (problems.length) throw new InvalidHandlerError(`@CustomResource on ${className}: ${problems.join('; ')}`);
}

function collectHandlers(className: string, handlerClass: HandlerClass): ResourceDescription['handlers'] {
  const handlers: ResourceDescription['handlers'] = {};
  // Most derived class first: a subclass's handler replaces its parent's for the same event.
  for (let proto = handlerClass.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const own: EventHandlerRecord[] = Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, proto) ?? [];
    const seenHere = new Map<ResourceEvent, EventHandlerRecord>();
    for (const record of own) {
      const twin = seenHere.get(record.event);
      if (twin) {
        throw new InvalidHandlerError(
          `${proto.constructor.name} has two @On${capitalise(record.event)}() handlers: ${String(twin.method)} and ${String(record.method)}; keep one`,
        );
      }
      seenHere.set(record.event, record);
      if (typeof proto[record.method] !== 'function') {
        throw new InvalidHandlerError(`${proto.constructor.name}.${String(record.method)} is decorated as a handler but is not a method`);
      }
      const timeout = record.timeout;
      if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0)) {
        throw new InvalidHandlerError(
          `@On${capitalise(record.event)}({ timeout }) on ${proto.constructor.name}.${String(record.method)}: ${String(timeout)} is not a number of seconds >= 0 (0 means none)`,
        );
      }
      handlers[record.event] ??= record;
    }
  }
  if (Object.keys(handlers).length === 0) {
    throw new InvalidHandlerError(`${className} has no @OnAdded(), @OnModified() or @OnDeleted() handler`);
  }
  return handlers;
}

const DESIGN_TYPES = new Map<unknown, ArgType>([
  [String, 'string'],
  [Number, 'number'],
  [Boolean, 'boolean'],
  [Array, 'array'],
]);

function collectArgs(className: string, handlerClass: HandlerClass): ArgDescription[] {
  const byProperty = new Map<string, ArgDescription>();
  for (let proto = handlerClass.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const own: ArgRecord[] = Reflect.getOwnMetadata(ARGS_KEY, proto) ?? [];
    for (const record of own) {
      if (byProperty.has(record.property)) continue;
      const type = record.type ?? DESIGN_TYPES.get(record.designType);
      if (!type && record.designType === undefined) {
        // TypeScript writes design:type only with both options on; every @Arg without { type } then lands here.
        throw new InvalidHandlerError(
          `@Arg on ${className}.${record.property}: no type metadata (design:type). Enable "emitDecoratorMetadata" and ` +
            `"experimentalDecorators" in the compilerOptions of tsconfig.json, or pass { type: 'string' | 'number' | 'boolean' | 'array' }`,
        );
      }
      if (!type) {
        const design = (record.designType as { name?: string } | undefined)?.name ?? 'unknown';
        throw new InvalidHandlerError(
          `@Arg on ${className}.${record.property}: cannot infer the flag type from the design type ${design}; ` +
            `declare it as string, number, boolean or string[], or pass { type: 'string' | 'number' | 'boolean' | 'array' }`,
        );
      }
      byProperty.set(record.property, { ...record, type, flag: record.name ?? kebabCase(record.property) });
    }
  }
  return [...byProperty.values()];
}

export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
