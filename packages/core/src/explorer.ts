// The one reader of kubeop metadata: walks a handler class, validates it and describes it, failing fast.
import 'reflect-metadata';
import {
  ARGS_KEY,
  type ArgRecord,
  type ArgType,
  CUSTOM_RESOURCE_KEY,
  decoratorName,
  EVENT_HANDLERS_KEY,
  type EventHandlerRecord,
  type HandlerClass,
  type HandlerKind,
  isApiVersion,
  isDnsSubdomain,
  isKind,
  isResourceName,
  type OwnedTypeRecord,
  OWNS_KEY,
  type ResourceRecord,
  type ResourceTypeRecord,
  TIMERS_KEY,
  type TimerRecord,
  WEBHOOKS_KEY,
  type WebhookRecord,
} from '@kubeop/decorators';
import { KubeopError } from './errors.js';
import { collectVersions, type VersionDescription } from './explorer-versions.js';
import { fullName } from './kube/resource.js';
import { StructuralSchemaError, structuralProblems } from './crd/structural.js';

export class InvalidHandlerError extends KubeopError {
  override readonly name = 'InvalidHandlerError';
  readonly code = 'INVALID_HANDLER';
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
  resource: ResourceRecord;
  handlers: Partial<Record<EventKind, EventHandlerRecord>>;
  timers: TimerRecord[];
  /** Types whose objects the handled objects own (`@Owns`). */
  owns: OwnedTypeRecord[];
  args: ArgDescription[];
  /** The finalizer kubeop manages on objects, or undefined when deletion is best-effort. */
  finalizer: string | undefined;
  /** `@OnValidate` and `@OnMutate` methods, in declaration order (a subclass's first). */
  webhooks: WebhookRecord[];
  /** The other served versions (`@ConvertFrom` / `@ConvertTo`); `resource.version` is the storage version. */
  versions: VersionDescription[];
}

/**
 * Whether a class gets a controller: one with handlers or timers. A class with webhooks only watches nothing (the API
 * server sends it the objects). The operator and the CLI's RBAC both ask this, so the grants match the runtime.
 */
export function watchesObjects(description: ResourceDescription): boolean {
  return Object.keys(description.handlers).length > 0 || description.timers.length > 0;
}

/** The core group's objects get a kubeop finalizer; a bare `finalizer` name is not domain-qualified. */
const CORE_GROUP_FINALIZER_DOMAIN = 'kubeop.dev';

export function describeHandlerClass(handlerClass: HandlerClass): ResourceDescription {
  const className = handlerClass?.name || '(anonymous class)';
  if (typeof handlerClass !== 'function') {
    throw new InvalidHandlerError(`bootstrap() takes handler classes; got ${typeof handlerClass}`);
  }
  const resource: ResourceRecord | undefined = Reflect.getMetadata(CUSTOM_RESOURCE_KEY, handlerClass);
  if (!resource) {
    const webhook = collectWebhooks(handlerClass)[0];
    if (webhook) {
      throw new InvalidHandlerError(
        `${className}.${String(webhook.method)} has @On${webhook.type === 'validate' ? 'Validate' : 'Mutate'}() but ${className} has no ` +
          '@CustomResource({ group, version, plural, kind }) or @Resource({ ... }) saying which objects it checks',
      );
    }
    throw new InvalidHandlerError(
      `${className} is not decorated with @CustomResource({ group, version, plural, kind }) or @Resource({ group, version, plural, kind })`,
    );
  }
  validateResource(className, resource);
  const owns = collectOwns(className, handlerClass);
  const handlers = collectHandlers(handlerClass);
  const timers = collectTimers(handlerClass);
  const webhooks = collectWebhooks(handlerClass);
  if (Object.keys(handlers).length === 0 && timers.length === 0 && webhooks.length === 0) {
    throw new InvalidHandlerError(
      `${className} has no @OnAdded(), @OnModified(), @OnDeleted(), @OnReconcile(), @OnTimer(), @OnValidate() or @OnMutate() handler`,
    );
  }
  if (handlers.reconcile && (handlers.added || handlers.modified)) {
    throw new InvalidHandlerError(
      `${className} has @OnReconcile() and ${decoratorName(handlers.added ? 'added' : 'modified')}(): @OnReconcile runs for every reason, so it replaces both; keep one style`,
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
  return { handlerClass, resource, handlers, timers, owns, args, finalizer, webhooks, versions };
}

function validateResource(className: string, resource: ResourceRecord): void {
  const decorator = resource.custom ? '@CustomResource' : '@Resource';
  const problems = typeProblems(resource, resource.custom);
  const need = (field: keyof ResourceRecord, ok: boolean, rule: string) => {
    if (!ok) problems.push(problem(field, resource[field], rule));
  };
  need(
    'singular',
    !resource.custom || (typeof resource.singular === 'string' && isResourceName(resource.singular)),
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
  need('keepManagedFields', [undefined, true, false].includes(resource.keepManagedFields), 'true or false');
  if (resource.rateLimit !== undefined) problems.push(...rateLimitProblems(resource.rateLimit));
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

/** The longest wait setTimeout can do (2^31 - 1 ms), in seconds: a longer delay fires at once. */
export const MAX_TIMER_SECONDS = 2_147_483;

function rateLimitProblems(rateLimit: ResourceRecord['rateLimit']): string[] {
  const { runs, perSeconds } = (rateLimit ?? {}) as { runs?: unknown; perSeconds?: unknown };
  const problems: string[] = [];
  if (!(typeof runs === 'number' && Number.isInteger(runs) && runs >= 1))
    problems.push(problem('rateLimit.runs', runs, 'a whole number of runs >= 1'));
  if (!(typeof perSeconds === 'number' && perSeconds > 0 && perSeconds <= MAX_TIMER_SECONDS))
    problems.push(problem('rateLimit.perSeconds', perSeconds, `a number of seconds > 0, at most ${MAX_TIMER_SECONDS}`));
  return problems;
}

const COLUMN_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);

/** The API server's rules for additionalPrinterColumns, so a bad column fails at start-up rather than at --create-crd. */
function columnProblems(columns: ResourceRecord['columns']): string[] {
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
    (custom ? isDnsSubdomain(group) && group.includes('.') : group === '' || isDnsSubdomain(group));
  need(
    'group',
    groupOk,
    custom ? 'a DNS subdomain such as example.com' : "'' for the core group, or a group such as apps",
  );
  need('version', typeof type.version === 'string' && isApiVersion(type.version), 'such as v1, v1alpha1, v2beta3');
  need('plural', typeof type.plural === 'string' && isResourceName(type.plural), 'lower case, such as testobjects');
  need('kind', typeof type.kind === 'string' && isKind(type.kind), 'CamelCase, such as TestObject');
  return problems;
}

function problem(field: string, value: unknown, rule: string): string {
  return `${field} ${value === undefined || value === '' ? 'is missing' : `"${String(value)}" is invalid`} (${rule})`;
}

function collectOwns(className: string, handlerClass: HandlerClass): OwnedTypeRecord[] {
  const owns: OwnedTypeRecord[] = Reflect.getMetadata(OWNS_KEY, handlerClass) ?? [];
  const seen = new Set<string>();
  for (const owned of owns) {
    const problems = typeProblems(owned, false);
    if (![undefined, true, false].includes(owned.metadataOnly))
      problems.push(problem('metadataOnly', owned.metadataOnly, 'true or false'));
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

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** The API server accepts timeoutSeconds from 1 to 30. */
function collectWebhooks(handlerClass: HandlerClass): WebhookRecord[] {
  const webhooks: WebhookRecord[] = [];
  const methods = new Set<string | symbol>();
  for (let proto = handlerClass.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const webhook of (Reflect.getOwnMetadata(WEBHOOKS_KEY, proto) ?? []) as WebhookRecord[]) {
      const key = `${webhook.type}:${String(webhook.method)}`;
      if (methods.has(key)) continue; // overridden in a subclass
      methods.add(key);
      const where = `@On${webhook.type === 'validate' ? 'Validate' : 'Mutate'} on ${proto.constructor.name}.${String(webhook.method)}`;
      if (typeof proto[webhook.method] !== 'function') throw new InvalidHandlerError(`${where}: not a method`);
      if (!Array.isArray(webhook.operations) || webhook.operations.length === 0)
        throw new InvalidHandlerError(`${where}: operations must list at least one of ${[...OPERATIONS].join(', ')}`);
      for (const operation of webhook.operations) {
        if (!OPERATIONS.has(operation))
          throw new InvalidHandlerError(
            `${where}: unknown operation ${JSON.stringify(operation)} (one of ${[...OPERATIONS].join(', ')})`,
          );
      }
      if (webhook.type === 'mutate' && webhook.operations.includes('DELETE'))
        throw new InvalidHandlerError(`${where}: a DELETE has no object to change; use @OnValidate for deletions`);
      if (!(Number.isInteger(webhook.timeout) && webhook.timeout >= 1 && webhook.timeout <= 30))
        throw new InvalidHandlerError(
          `${where}: timeout ${String(webhook.timeout)} is not a whole number of seconds from 1 to 30`,
        );
      if (webhook.failurePolicy !== 'Fail' && webhook.failurePolicy !== 'Ignore')
        throw new InvalidHandlerError(
          `${where}: failurePolicy ${JSON.stringify(webhook.failurePolicy)} is not 'Fail' or 'Ignore'`,
        );
      webhooks.push(webhook);
    }
  }
  return webhooks;
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
          `${proto.constructor.name} has two ${decoratorName(record.event)}() handlers: ${String(twin.method)} and ${String(record.method)}; keep one`,
        );
      }
      seenHere.set(record.event, record);
      if (typeof proto[record.method] !== 'function') {
        throw new InvalidHandlerError(
          `${proto.constructor.name}.${String(record.method)} is decorated as a handler but is not a method`,
        );
      }
      checkTimeout(
        `${decoratorName(record.event)}({ timeout }) on ${proto.constructor.name}.${String(record.method)}`,
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
