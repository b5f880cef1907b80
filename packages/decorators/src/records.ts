// What the decorators store: normalised records, kept apart from the user-facing options.
import type { ArgType } from './options.js';

export type ResourceScope = 'Namespaced' | 'Cluster';

export interface CustomResourceRecord {
  group: string;
  version: string;
  plural: string;
  kind: string;
  singular: string;
  shortNames: string[];
  scope: ResourceScope;
  schema: Record<string, unknown> | undefined;
  categories: string[];
  finalizer: string | undefined;
}

export type ResourceEvent = 'added' | 'modified' | 'deleted';

export interface EventHandlerRecord {
  event: ResourceEvent;
  method: string | symbol;
  skipWhenStateSet: boolean;
  everyChange: boolean;
  finalizer: boolean;
  /** Seconds; undefined means the operator's default. */
  timeout: number | undefined;
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
