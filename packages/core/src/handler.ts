// The base class of a resource handler: what kubeop injects into each handler run.
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { OperatorArgs } from './cli.js';
import type { ObjectClient } from './kube/object-client.js';
import type { CustomObject, ObjectMeta } from './kube/objects.js';
import type { Logger } from './logging.js';
import type { RunReason } from './reasons.js';

export const HANDLER_RUN = Symbol.for('kubeop:handler-run');

/** Per-run state kubeop attaches to a handler instance. */
export interface HandlerRun {
  status: { readonly value: unknown; write(patch: unknown): Promise<void> };
  requeueAfterSeconds: number | undefined;
  apply<T extends ChildObject>(object: T): Promise<Applied<T>>;
  dryRun: boolean;
}

/** An applied object: what was sent, with what the server filled in (uid, resourceVersion, … and the status). */
export type Applied<T extends ChildObject> = T & { metadata: ObjectMeta; status?: unknown };

/** What `this.apply` takes: any object with its type and name; the namespace and owner reference are filled in. */
export interface ChildObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/**
 * Extend this class to get typed access to what kubeop injects. A fresh instance is made for every
 * handler call, bound to one object.
 */
export abstract class ResourceHandler<Spec = Record<string, unknown>, Status extends object = Record<string, unknown>> {
  /** The object this run handles (a copy: changing it changes nothing on the server). */
  declare object: CustomObject<Spec, Status>;
  /** Every parsed command-line flag. */
  declare args: OperatorArgs;
  /** A child of the operator's logger that carries the object's key and the event. */
  declare logger: Logger;
  /**
   * Why this run happens: every cause since the object's last run, oldest first (`startup`, `added`,
   * `spec-changed`, `owned-changed` with the child, `timer`, `retry` with the attempt, `requeue`, `resync`,
   * `unpaused` after what came due while the object was paused).
   */
  declare reasons: RunReason[];
  /** kubeop's pooled client for any resource (get, list, create, apply, patch, delete); prefer it to client-node's API classes. */
  declare client: ObjectClient;
  /** A client-node client for custom objects, kept for pykubeop compatibility; `this.client` is cheaper. */
  declare crdApi: CustomObjectsApi;
  /** The operator's connection settings, to build other clients. */
  declare kubeConfig: KubeConfig;
  /**
   * Aborted when this run times out (the handler's `timeout`, or `--handler-timeout`) and when the
   * operator shuts down: pass it to fetch() and client calls so that an abandoned run stops working.
   */
  declare signal: AbortSignal;
  declare [HANDLER_RUN]: HandlerRun;

  /** The status as last written by this run, or as the object had it. */
  get status(): Partial<Status> | undefined {
    return this[HANDLER_RUN].status.value as Partial<Status> | undefined;
  }

  /**
   * Merge-patches the status subresource (`null` removes a field). Writes are applied in order and
   * the run is not finished until they are; a failed write fails the run.
   */
  set status(patch: Partial<Status>) {
    void this[HANDLER_RUN].status.write(patch);
  }

  /** The same as assigning `this.status`, for authors who want to await the write. */
  setStatus(patch: Partial<Status>): Promise<void> {
    return this[HANDLER_RUN].status.write(patch);
  }

  /**
   * Server-side applies `object` as a child of the handled object: fills in the namespace, adds the controller
   * owner reference (so `@Owns` sees its changes and the garbage collector deletes it with its owner), and
   * applies with the operator's name as field manager, forcing conflicts. Returns the object as the server
   * stored it. Idempotent: applying the same content again changes nothing, not even `resourceVersion`.
   */
  apply<T extends ChildObject>(object: T): Promise<Applied<T>> {
    return this[HANDLER_RUN].apply(object);
  }

  /**
   * True when the operator runs with `--dry-run`: every write through `this.status`, `this.apply` and `this.client`
   * is sent with `dryRun=All` (validated, never stored) and logged, so a handler can skip work outside the cluster
   * (calls to other systems). Writes through `this.crdApi` are covered too; clients built from `this.kubeConfig` are not.
   */
  get dryRun(): boolean {
    return this[HANDLER_RUN].dryRun;
  }

  /** Asks kubeop to call this handler again for the object after `seconds`. */
  requeueAfter(seconds: number): void {
    this[HANDLER_RUN].requeueAfterSeconds = seconds;
  }
}
