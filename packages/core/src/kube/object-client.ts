// A pooled client for objects of any kind (get, list, create, apply, patch, delete), with kinds resolved by discovery.
import type { KubeClient, Query } from './client.js';
import { KubeApiError } from './errors.js';
import type { KubeObject } from './objects.js';

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

/** A kind the API server does not serve in that apiVersion. */
export class UnknownKindError extends Error {
  override readonly name = 'UnknownKindError';
}

const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

export class ObjectClient {
  private readonly discovered = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(
    private readonly client: KubeClient,
    private readonly options: { fieldManager?: string } = {},
  ) {}

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject = KubeObject>(ref: ObjectReference): Promise<T | undefined> {
    try {
      return await this.client.request<T>('GET', await this.objectPath(ref));
    } catch (error) {
      if (error instanceof KubeApiError && error.isNotFound) return undefined;
      throw error;
    }
  }

  /** Every matching object, all pages. */
  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, options: ListOptions = {}): Promise<T[]> {
    const path = await this.collectionPath(apiVersion, kind, options.namespace);
    const items: T[] = [];
    let continueToken: string | undefined;
    do {
      const query: Query = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: 500, continue: continueToken };
      const page = await this.client.request<{ items: T[]; metadata: { continue?: string } }>('GET', path, { query });
      for (const item of page.items) items.push({ ...item, apiVersion, kind });
      continueToken = page.metadata.continue || undefined;
    } while (continueToken);
    return items;
  }

  async create<T extends KubeObject>(object: T): Promise<T> {
    const path = await this.collectionPath(object.apiVersion, object.kind, object.metadata.namespace);
    return this.client.request<T>('POST', path, { body: object, query: this.manager() });
  }

  /** Server-side apply; `force` (default true) takes over fields another manager owns. */
  async apply<T extends KubeObject>(object: T, options: { fieldManager?: string; force?: boolean } = {}): Promise<T> {
    const fieldManager = options.fieldManager ?? this.options.fieldManager;
    if (!fieldManager) throw new Error('server-side apply needs a field manager');
    return this.client.request<T>('PATCH', await this.objectPath(refOf(object)), {
      // JSON is YAML: the apply content type takes it as it is.
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: options.force ?? true },
    });
  }

  async patch<T extends KubeObject = KubeObject>(ref: ObjectReference, patch: unknown, type: keyof typeof PATCH_TYPES = 'merge'): Promise<T> {
    return this.client.request<T>('PATCH', await this.objectPath(ref), { body: patch, contentType: PATCH_TYPES[type], query: this.manager() });
  }

  /** False when the object was already gone. */
  async delete(ref: ObjectReference, options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' } = {}): Promise<boolean> {
    try {
      await this.client.request('DELETE', await this.objectPath(ref), { body: options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : undefined });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.isNotFound) return false;
      throw error;
    }
  }

  /** Plural and scope of a kind, from the API server's discovery (cached per group-version, refreshed once on a miss). */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const found = (await this.discover(apiVersion, false)).get(kind) ?? (await this.discover(apiVersion, true)).get(kind);
    if (!found) {
      throw new UnknownKindError(`the API server does not serve kind ${kind} in ${apiVersion} (kubectl api-resources lists what it serves)`);
    }
    return found;
  }

  private discover(apiVersion: string, refresh: boolean): Promise<Map<string, ResourceInfo>> {
    let kinds = this.discovered.get(apiVersion);
    if (!kinds || refresh) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      kinds = this.client.request<ApiResourceList>('GET', path).then(
        (list) => new Map(list.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }])),
        (error: unknown) => {
          this.discovered.delete(apiVersion);
          if (error instanceof KubeApiError && error.isNotFound) return new Map<string, ResourceInfo>();
          throw error;
        },
      );
      this.discovered.set(apiVersion, kinds);
    }
    return kinds;
  }

  private async collectionPath(apiVersion: string, kind: string, namespace: string | undefined): Promise<string> {
    const { plural, namespaced } = await this.resourceFor(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (!namespaced) return `${base}/${plural}`;
    return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${base}/${plural}`;
  }

  private async objectPath(ref: ObjectReference): Promise<string> {
    const { namespaced } = await this.resourceFor(ref.apiVersion, ref.kind);
    if (namespaced && !ref.namespace) throw new Error(`${ref.kind} ${ref.name} is namespaced: give its namespace`);
    return `${await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  }

  private manager(): Query {
    return this.options.fieldManager ? { fieldManager: this.options.fieldManager } : {};
  }
}

function refOf(object: KubeObject): ObjectReference {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
}
