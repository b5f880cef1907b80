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
  type HandlerKind,
  OWNS_KEY,
  type ResourceTypeRecord,
  TIMERS_KEY,
  type TimerRecord,
} from '@kubeop/decorators';
import { collectVersions, type VersionDescription } from './explorer-versions.js';
import { fullName } from './kube/resource.js';
import { StructuralSchemaError, structuralProblems } from './kube/structural.js';

export class InvalidHandlerError extends Error {
  override readonly name = 'InvalidHandlerError';
}

export interface ArgDescription extends ArgRecord {
  /** The flag without dashes, e.g. `my-argument`. */
  flag: string;
  type: ArgType;
}

/** The handlers a method decorator can add, one each per class. */
export type EventKind = Exclude<HandlerKind, 'timer'>;

export interface ResourceDescription {
  handlerClass: HandlerClass;
  /** From `@CustomResource` (`custom: true`) or `@Resource`. */
  resource: CustomResourceRecord;
  handlers: Partial<Record<EventKind, EventHandlerRecord>>;
  timers: TimerRecord[];
  /** Types whose objects the handled objects own (`@Owns`). */
  owns: ResourceTypeRecord[];
  args: ArgDescription[];
  /** The finalizer kubeop manages on objects, or undefined when deletion is best-effort. */
  finalizer: string | undefined;
  /** The other served versions (`@ConvertFrom` / `@ConvertTo`); `resource.version` is the storage version. */
  versions: VersionDescription[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
/** The core group's objects get a kubeop finalizer; a bare `finalizer` name is not domain-qualified. */
const CORE_GROUP_FINALIZER_DOMAIN = 'kubeop.dev';

export function describeHandlerClass(handlerClass: HandlerClass): ResourceDescription {
  const className = handlerClass?.name || '(anonymous class)';
  if (typeof handlerClass !== 'function') {
    throw new InvalidHandlerError(`bootstrap() takes handler classes; got ${typeof handlerClass}`);
  }
  const resource: CustomResourceRecord | undefined = Reflect.getMetadata(CUSTOM_RESOURCE_KEY, handlerClass);
  if (!resource) {
    throw new InvalidHandlerError(
      `${className} is not decorated with @CustomResource({ group, version, plural, kind }) or @Resource({ group, version, plural, kind })`,
    );
  }
  validateResource(className, resource);
  const owns = collectOwns(className, handlerClass);
  const handlers = collectHandlers(handlerClass);
  const timers = collectTimers(handlerClass);
  if (Object.keys(handlers).length === 0 && timers.length === 0) {
    throw new InvalidHandlerError(
      `${className} has no @OnAdded(), @OnModified(), @OnDeleted(), @OnReconcile() or @OnTimer() handler`,
    );
  }
  if (handlers.reconcile && (handlers.added || handlers.modified)) {
    throw new InvalidHandlerError(
      `${className} has @OnReconcile() and @On${handlers.added ? 'Added' : 'Modified'}(): @OnReconcile runs for every reason, so it replaces both; keep one style`,
    );
  }
  if (owns.length && !handlers.reconcile && !handlers.modified) {
    throw new InvalidHandlerError(
      `${className} has @Owns(${owns.map((o) => o.kind).join(', ')}) but no @OnReconcile() or @OnModified() handler to run when an owned object changes`,
    );
  }
  const args = collectArgs(className, handlerClass);
  const deleted = handlers.deleted;
  const finalizer = deleted?.finalizer
    ? (resource.finalizer ?? `${resource.group || CORE_GROUP_FINALIZER_DOMAIN}/finalizer`)
    : undefined;
  const versions = collectVersions(className, handlerClass, resource, (message) => new InvalidHandlerError(message));
  return { handlerClass, resource, handlers, timers, owns, args, finalizer, versions };
}

function validateResource(className: string, resource: CustomResourceRecord): void {
  const decorator = resource.custom ? '@CustomResource' : '@Resource';
  const problems = typeProblems(resource, resource.custom);
  const need = (field: keyof CustomResourceRecord, ok: boolean, rule: string) => {
    if (!ok) problems.push(problem(field, resource[field], rule));
  };
  need(
    'singular',
    !resource.custom || (typeof resource.singular === 'string' && DNS_LABEL.test(resource.singular)),
    'lower case, such as testobject',
  );
  need('scope', resource.scope === 'Namespaced' || resource.scope === 'Cluster', "'Namespaced' or 'Cluster'");
  for (const selector of ['labelSelector', 'fieldSelector'] as const) {
    need(
      selector,
      resource[selector] === undefined || typeof resource[selector] === 'string',
      'a selector string such as app=web,tier!=db',
    );
  }
  if (resource.custom) problems.push(...columnProblems(resource.columns));
  if (problems.length) throw new InvalidHandlerError(`${decorator} on ${className}: ${problems.join('; ')}`);
  if (resource.custom && resource.schema !== undefined) {
    const schemaProblems = structuralProblems(resource.schema);
    if (schemaProblems.length)
      throw new InvalidHandlerError(
        new StructuralSchemaError(`${decorator} on ${className}: schema`, schemaProblems).message,
      );
  }
}

const COLUMN_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);

/** The API server's rules for additionalPrinterColumns, so a bad column fails at start-up rather than at --create-crd. */
function columnProblems(columns: CustomResourceRecord['columns']): string[] {
  if (!Array.isArray(columns)) return [problem('columns', columns, 'an array of { name, jsonPath, type }')];
  return columns.flatMap((column, i) => {
    const where = `columns[${i}]`;
    if (typeof column?.name !== 'string' || !column.name)
      return [problem(`${where}.name`, column?.name, 'a column header')];
    if (typeof column.jsonPath !== 'string' || !column.jsonPath.startsWith('.'))
      return [problem(`${where}.jsonPath`, column.jsonPath, 'a path such as .spec.replicas')];
    if (!COLUMN_TYPES.has(column.type)) return [problem(`${where}.type`, column.type, [...COLUMN_TYPES].join(', '))];
    if (column.priority !== undefined && !(Number.isInteger(column.priority) && column.priority >= 0))
      return [problem(`${where}.priority`, column.priority, 'a whole number >= 0')];
    return [];
  });
}

/** A custom resource's group must be a DNS subdomain with a dot; an existing type may be in the core group (''). */
function typeProblems(type: ResourceTypeRecord, custom: boolean): string[] {
  const problems: string[] = [];
  const need = (field: keyof ResourceTypeRecord, ok: boolean, rule: string) => {
    if (!ok) problems.push(problem(field, type[field], rule));
  };
  const group = type.group;
  const groupOk =
    typeof group === 'string' &&
    (custom ? DNS_SUBDOMAIN.test(group) && group.includes('.') : group === '' || DNS_SUBDOMAIN.test(group));
  need(
    'group',
    groupOk,
    custom ? 'a DNS subdomain such as example.com' : "'' for the core group, or a group such as apps",
  );
  need('version', typeof type.version === 'string' && VERSION.test(type.version), 'such as v1, v1alpha1, v2beta3');
  need('plural', typeof type.plural === 'string' && DNS_LABEL.test(type.plural), 'lower case, such as testobjects');
  need('kind', typeof type.kind === 'string' && KIND.test(type.kind), 'CamelCase, such as TestObject');
  return problems;
}

function problem(field: string, value: unknown, rule: string): string {
  return `${field} ${value === undefined || value === '' ? 'is missing' : `"${String(value)}" is invalid`} (${rule})`;
}

function collectOwns(className: string, handlerClass: HandlerClass): ResourceTypeRecord[] {
  const owns: ResourceTypeRecord[] = Reflect.getMetadata(OWNS_KEY, handlerClass) ?? [];
  const seen = new Set<string>();
  for (const owned of owns) {
    const problems = typeProblems(owned, false);
    if (problems.length) throw new InvalidHandlerError(`@Owns on ${className}: ${problems.join('; ')}`);
    const id = fullName(owned);
    if (seen.has(id)) throw new InvalidHandlerError(`@Owns on ${className} names ${id} twice`);
    seen.add(id);
  }
  return owns;
}

function collectTimers(handlerClass: HandlerClass): TimerRecord[] {
  const timers: TimerRecord[] = [];
  const methods = new Set<string | symbol>();
  for (let proto = handlerClass.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const timer of (Reflect.getOwnMetadata(TIMERS_KEY, proto) ?? []) as TimerRecord[]) {
      if (methods.has(timer.method)) continue; // overridden in a subclass
      methods.add(timer.method);
      const where = `@OnTimer on ${proto.constructor.name}.${String(timer.method)}`;
      const timeoutWhere = `@OnTimer({ timeout }) on ${proto.constructor.name}.${String(timer.method)}`;
      if (typeof proto[timer.method] !== 'function') throw new InvalidHandlerError(`${where}: not a method`);
      if (!(typeof timer.interval === 'number' && Number.isFinite(timer.interval) && timer.interval > 0)) {
        throw new InvalidHandlerError(`${where}: interval ${String(timer.interval)} is not a number of seconds > 0`);
      }
      if (!(typeof timer.initialDelay === 'number' && Number.isFinite(timer.initialDelay) && timer.initialDelay >= 0)) {
        throw new InvalidHandlerError(
          `${where}: initialDelay ${String(timer.initialDelay)} is not a number of seconds >= 0`,
        );
      }
      checkTimeout(timeoutWhere, timer.timeout);
      timers.push(timer);
    }
  }
  return timers;
}

function checkTimeout(where: string, timeout: number | undefined): void {
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0)) {
    throw new InvalidHandlerError(`${where}: ${String(timeout)} is not a number of seconds >= 0 (0 means none)`);
  }
}

function collectHandlers(handlerClass: HandlerClass): ResourceDescription['handlers'] {
  const handlers: ResourceDescription['handlers'] = {};
  // Most derived class first: a subclass's handler replaces its parent's for the same event.
  for (let proto = handlerClass.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const own: EventHandlerRecord[] = Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, proto) ?? [];
    const seenHere = new Map<HandlerKind, EventHandlerRecord>();
    for (const record of own) {
      const twin = seenHere.get(record.event);
      if (twin) {
        throw new InvalidHandlerError(
          `${proto.constructor.name} has two @On${capitalise(record.event)}() handlers: ${String(twin.method)} and ${String(record.method)}; keep one`,
        );
      }
      seenHere.set(record.event, record);
      if (typeof proto[record.method] !== 'function') {
        throw new InvalidHandlerError(
          `${proto.constructor.name}.${String(record.method)} is decorated as a handler but is not a method`,
        );
      }
      checkTimeout(
        `@On${capitalise(record.event)}({ timeout }) on ${proto.constructor.name}.${String(record.method)}`,
        record.timeout,
      );
      handlers[record.event as EventKind] ??= record;
    }
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
