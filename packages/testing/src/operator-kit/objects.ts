// Typed helpers over one kind's objects in one namespace: create, read, patch, delete, and wait for a condition.
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type ObjectMeta } from '@kubeop/core';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { eventually } from '../eventually.js';
import { ObjectRequestError, told } from './request-error.js';
import type { HandlerClass, ResourceType, SpecOf, StatusOf, StoredObject } from './types.js';

export interface ObjectHelpers<Spec, Status> {
  /** The client-node API the helpers use, for anything else. */
  api: CustomObjectsApi;
  /** Creates `name` with `spec` (default `{}`); `metadata` adds labels, annotations, finalizers, ... */
  create(name: string, spec?: Spec, metadata?: Partial<ObjectMeta>): Promise<StoredObject<Spec, Status>>;
  /** The object, or undefined when there is none (404). */
  get(name: string): Promise<StoredObject<Spec, Status> | undefined>;
  list(): Promise<Array<StoredObject<Spec, Status>>>;
  /** Polls until `predicate` holds for the object and returns it; fails after `timeoutMs` (default 30000) naming `what`. */
  waitFor(
    name: string,
    predicate: (object: StoredObject<Spec, Status>) => boolean,
    what?: string,
    timeoutMs?: number,
  ): Promise<StoredObject<Spec, Status>>;
  /** Polls until the object is gone (finalizers done). */
  waitForDeletion(name: string, timeoutMs?: number): Promise<void>;
  /** Merge patches; `null` removes a field. */
  patchSpec(name: string, spec: Partial<Spec> | Record<string, unknown>): Promise<StoredObject<Spec, Status>>;
  patchStatus(name: string, status: Partial<Status> | Record<string, unknown>): Promise<StoredObject<Spec, Status>>;
  patchMetadata(name: string, metadata: Partial<ObjectMeta>): Promise<StoredObject<Spec, Status>>;
  /** Asks for deletion; with finalizers the object stays until they are removed (see `waitForDeletion`). */
  delete(name: string): Promise<unknown>;
}

/** Helpers for the objects a handler class handles; spec and status are typed from its `ResourceHandler<Spec, Status>`. */
export function objects<H extends HandlerClass>(
  kubeConfig: KubeConfig,
  handler: H,
  namespace: string,
): ObjectHelpers<SpecOf<H>, StatusOf<H>>;
/** Helpers for the objects of a resource type. */
export function objects<Spec = Record<string, unknown>, Status = Record<string, unknown>>(
  kubeConfig: KubeConfig,
  type: ResourceType,
  namespace: string,
): ObjectHelpers<Spec, Status>;
export function objects(
  kubeConfig: KubeConfig,
  source: HandlerClass | ResourceType,
  namespace: string,
): ObjectHelpers<unknown, unknown> {
  const type = typeof source === 'function' ? describeHandlerClass(source).resource : source;
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const base = { group: type.group, version: type.version, plural: type.plural, namespace };
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  type Stored = StoredObject<unknown, unknown>;
  const resourceName = `${type.plural}.${type.group}`;
  /** `create widgets.example.kubeop.dev w1 in namespace test-abc`: the subject of a failed request's message. */
  const what = (verb: string, name?: string) =>
    `${verb} ${resourceName}${name ? ` ${name}` : ''} in namespace ${namespace}`;
  const get = async (name: string): Promise<Stored | undefined> => {
    try {
      return (await told(what('get', name), () => api.getNamespacedCustomObject({ ...base, name }))) as Stored;
    } catch (error) {
      if (error instanceof ObjectRequestError && error.status === 404) return undefined;
      throw error;
    }
  };
  return {
    api,
    create: async (name, spec = {}, metadata = {}) =>
      (await told(what('create', name), () =>
        api.createNamespacedCustomObject({
          ...base,
          body: {
            apiVersion: `${type.group}/${type.version}`,
            kind: type.kind,
            metadata: { ...metadata, name, namespace },
            spec,
          },
        }),
      )) as Stored,
    get,
    list: async () =>
      ((await told(what('list'), () => api.listNamespacedCustomObject(base))) as { items: Stored[] }).items,
    waitFor: (name, predicate, description = `${resourceName} ${name} to meet the condition`, timeoutMs = 30_000) =>
      eventually(
        async () => {
          const object = await get(name);
          return object && predicate(object) ? object : undefined;
        },
        description,
        timeoutMs,
      ),
    waitForDeletion: async (name, timeoutMs = 30_000) => {
      await eventually(async () => (await get(name)) === undefined, `${resourceName} ${name} to be gone`, timeoutMs);
    },
    patchSpec: async (name, spec) =>
      (await told(what('patch the spec of', name), () =>
        api.patchNamespacedCustomObject({ ...base, name, body: { spec } }, mergePatch),
      )) as Stored,
    patchStatus: async (name, status) =>
      (await told(what('patch the status of', name), () =>
        api.patchNamespacedCustomObjectStatus({ ...base, name, body: { status } }, mergePatch),
      )) as Stored,
    patchMetadata: async (name, metadata) =>
      (await told(what('patch the metadata of', name), () =>
        api.patchNamespacedCustomObject({ ...base, name, body: { metadata } }, mergePatch),
      )) as Stored,
    delete: (name) => told(what('delete', name), () => api.deleteNamespacedCustomObject({ ...base, name })),
  };
}
