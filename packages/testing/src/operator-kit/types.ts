// Types the operator kit shares: a handler class as @kubeop/core takes it, a resource type, an object as stored.
import type { CustomObject, ObjectMeta, OperatorOptions } from '@kubeop/core';

/** A class decorated with @CustomResource or @Resource, as `bootstrap()` takes it. */
export type HandlerClass = OperatorOptions['handlers'][number];

/** Where a kind is served: enough to address its objects and, for a custom resource, to install its CRD. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** Defaults to the kind in lower case. */
  singular?: string;
}

/** An object as the API server returns it: the fields it always sets are there. */
export interface StoredObject<Spec = Record<string, unknown>, Status = Record<string, unknown>> extends CustomObject<
  Spec,
  Status
> {
  metadata: ObjectMeta & {
    name: string;
    namespace: string;
    uid: string;
    generation: number;
    resourceVersion: string;
    creationTimestamp: string;
  };
}

/** The spec type of a handler class (`ResourceHandler<Spec, Status>`), for typed object helpers. */
export type SpecOf<H> = H extends abstract new (...args: never[]) => { object: CustomObject<infer Spec, unknown> }
  ? Spec
  : Record<string, unknown>;

/** The status type of a handler class. */
export type StatusOf<H> = H extends abstract new (...args: never[]) => { object: CustomObject<unknown, infer Status> }
  ? Status
  : Record<string, unknown>;
