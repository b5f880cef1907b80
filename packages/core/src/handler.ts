// The base class of a resource handler: what kubeop injects into each handler run.
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { OperatorArgs } from './cli.js';
import type { CustomObject } from './kube/objects.js';
import type { Logger } from './logging.js';

export const HANDLER_RUN = Symbol.for('kubeop:handler-run');

/** Per-run state kubeop attaches to a handler instance. */
export interface HandlerRun {
  status: { readonly value: unknown; write(patch: unknown): Promise<void> };
  requeueAfterSeconds: number | undefined;
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
  /** A configured client for custom objects. */
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

  /** Asks kubeop to call this handler again for the object after `seconds`. */
  requeueAfter(seconds: number): void {
    this[HANDLER_RUN].requeueAfterSeconds = seconds;
  }
}
