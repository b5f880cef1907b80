// A pooled client for objects of any kind (get, list, create, apply, patch, delete), with kinds resolved by discovery.
import { KubeopError } from '../errors.js';
import type { KubeClient, Query } from './client.js';
import { KubeApiError } from './errors.js';
import type { KubeObject, ObjectMeta } from './objects.js';
import { collectionPath, groupVersionOf, groupVersionPath, objectPath, type ResourceRef } from './resource.js';

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ListOptions {
  /** One namespace; defaults to all (ignored for cluster-scoped kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects per page; `list` follows `continue` until the last page. Defaults to 500. */
  limit?: number;
}

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

/** A kind the API server does not serve in that apiVersion. */
export class UnknownKindError extends KubeopError {
  override readonly name = 'UnknownKindError';
  readonly code = 'UNKNOWN_KIND';
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(
      `The API server does not serve kind ${kind} in apiVersion ${apiVersion} (kubectl api-resources lists what it serves)`,
    );
  }
}

const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/**
 * kubeop's pooled client for objects of any kind: every call goes through the operator's one KubeClient (one
 * connection pool, credentials cached), errors are KubeApiError naming verb and path.
 */
export class ObjectClient {
  private readonly discovered = new Map<string, Promise<Map<string, ResourceInfo>>>();
  /** Discovery refreshes under way, so that a burst of misses asks the server once. */
  private readonly refreshing = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(
    private readonly client: KubeClient,
    private readonly options: { fieldManager?: string } = {},
  ) {}

  /**
   * The object, or undefined when it does not exist (a 404 naming it; any other 404 is thrown). `T` is any object
   * type, client-node's `V1Secret` or an interface of your own: `get<V1Secret>(ref)` needs no cast.
   */
  async get<T extends object = KubeObject>(ref: ObjectReference): Promise<T | undefined> {
    try {
      return await this.client.request<T>('GET', await this.objectPath(ref));
    } catch (error) {
      if (error instanceof KubeApiError && error.isObjectNotFound) return undefined;
      throw error;
    }
  }

  /** Every matching object, all pages; `T` as for {@link get}. */
  async list<T extends object = KubeObject>(apiVersion: string, kind: string, options: ListOptions = {}): Promise<T[]> {
    const path = collectionPath(await this.resource(apiVersion, kind), options.namespace);
    const items: T[] = [];
    let continueToken: string | undefined;
    do {
      const query: Query = {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit ?? 500,
        continue: continueToken,
      };
      const page = await this.client.request<{ items: T[]; metadata: { continue?: string } }>('GET', path, { query });
      for (const item of page.items) items.push({ ...item, apiVersion, kind });
      continueToken = page.metadata.continue || undefined;
    } while (continueToken);
    return items;
  }

  /** Creates the object; returns it as stored (uid, resourceVersion, defaults filled in). */
  async create<T extends KubeObject>(object: T): Promise<T & { metadata: ObjectMeta }> {
    const path = collectionPath(await this.resourceOf(refOf(object)), object.metadata.namespace);
    return this.client.request('POST', path, { body: object, query: this.manager() });
  }

  /**
   * Server-side apply: the fields sent become the field manager's (default: the client's), the others are left
   * alone; `force` (default true) takes over fields another manager owns. Returns the object as stored.
   */
  async apply<T extends KubeObject>(
    object: T,
    options: { fieldManager?: string; force?: boolean } = {},
  ): Promise<T & { metadata: ObjectMeta }> {
    const fieldManager = options.fieldManager ?? this.options.fieldManager;
    if (!fieldManager) throw new Error('server-side apply needs a field manager');
    return this.client.request('PATCH', await this.objectPath(refOf(object)), {
      // JSON is YAML: the apply content type takes it as it is.
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: options.force ?? true },
    });
  }

  async patch<T extends object = KubeObject>(
    ref: ObjectReference,
    patch: unknown,
    type: keyof typeof PATCH_TYPES = 'merge',
  ): Promise<T> {
    return this.client.request<T>('PATCH', await this.objectPath(ref), {
      body: patch,
      contentType: PATCH_TYPES[type],
      query: this.manager(),
    });
  }

  /** Asks for the deletion (finalizers may hold the object a while); false when the object was already gone. */
  async delete(
    ref: ObjectReference,
    options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' } = {},
  ): Promise<boolean> {
    try {
      await this.client.request('DELETE', await this.objectPath(ref), {
        query: { propagationPolicy: options.propagationPolicy },
      });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.isObjectNotFound) return false;
      throw error;
    }
  }

  /** Plural and scope of a kind, from the API server's discovery (cached per group-version, refreshed once on a miss). */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    // A miss asks again once: the kind's CRD may have been installed since the group-version was read.
    const found =
      (await this.discover(apiVersion, false)).get(kind) ?? (await this.discover(apiVersion, true)).get(kind);
    if (!found) {
      throw new UnknownKindError(apiVersion, kind);
    }
    return found;
  }

  private discover(apiVersion: string, refresh: boolean): Promise<Map<string, ResourceInfo>> {
    const cached = this.discovered.get(apiVersion);
    if (cached && !refresh) return cached;
    const pending = this.refreshing.get(apiVersion);
    if (pending) return pending;
    const kinds = this.client.request<ApiResourceList>('GET', groupVersionPath(groupVersionOf(apiVersion))).then(
      // Subresources (deployments/status, pods/log) are listed too; they are no kinds of their own.
      (list) =>
        new Map(
          list.resources
            .filter((r) => !r.name.includes('/'))
            .map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }]),
        ),
      (error: unknown) => {
        this.discovered.delete(apiVersion);
        // A group-version not served is not cached: its CRD may come.
        if (error instanceof KubeApiError && error.isNotFound) return new Map<string, ResourceInfo>();
        throw error;
      },
    );
    this.discovered.set(apiVersion, kinds);
    this.refreshing.set(apiVersion, kinds);
    void kinds.finally(() => this.refreshing.delete(apiVersion)).catch(() => undefined);
    return kinds;
  }

  private async resource(apiVersion: string, kind: string): Promise<ResourceRef> {
    const { plural, namespaced } = await this.resourceFor(apiVersion, kind);
    return { ...groupVersionOf(apiVersion), plural, kind, scope: namespaced ? 'Namespaced' : 'Cluster' };
  }

  /** The resource of an object, checked to have a namespace if its kind is namespaced. */
  private async resourceOf(ref: ObjectReference): Promise<ResourceRef> {
    const resource = await this.resource(ref.apiVersion, ref.kind);
    if (resource.scope === 'Namespaced' && !ref.namespace)
      throw new Error(`${ref.kind} ${ref.name} (${ref.apiVersion}) is namespaced: give its namespace`);
    return resource;
  }

  private async objectPath(ref: ObjectReference): Promise<string> {
    return objectPath(await this.resourceOf(ref), ref.name, ref.namespace);
  }

  private manager(): Query {
    return this.options.fieldManager ? { fieldManager: this.options.fieldManager } : {};
  }
}

function refOf(object: KubeObject): ObjectReference {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
  };
}
