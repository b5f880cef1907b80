// Makes a fresh handler instance bound to one object, injects what it needs, calls it under supervision
// (timeout, long-run warnings, abort signal) and waits for its status writes.
import { handlerName } from '@kubeop/decorators';
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { OperatorArgs } from '../../cli.js';
import type { RuntimeConfig } from '../../config.js';
import type { ResourceDescription } from '../../explorer.js';
import { HANDLER_RUN, type HandlerRun, ResourceHandler } from '../../handler.js';
import type { KubeClient } from '../../kube/client.js';
import type { ObjectClient } from '../../kube/object-client.js';
import { type KubeObject, objectKey } from '../../kube/objects.js';
import { fullName, objectPath } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import type { RunReason } from '../../reasons.js';
import { type HandlerRef, handlerRecord } from '../dispatch/handlers.js';
import { applyChild } from './apply-child.js';
import { StatusWriteError } from './status-errors.js';
import { StatusWriter } from './status-writer.js';
import { supervise } from './supervise.js';
import { asError } from './thrown.js';
import { describeError } from '../util/describe-error.js';
import { cloneJson } from '../util/clone-json.js';

export interface HandlerDependencies {
  client: KubeClient;
  /** Injected as `this.client`; `this.apply` goes through it. */
  objects: ObjectClient;
  /** `this.kubeConfig` and `this.crdApi`, built (and client-node loaded) on first read. */
  clientNode: { readonly kubeConfig: KubeConfig; readonly crdApi: CustomObjectsApi };
  /** The parsed command line, injected as `this.args` and into the @Arg properties. */
  args: OperatorArgs;
  config: RuntimeConfig;
  logger: Logger;
}

export interface RunContext {
  /** Why this run happens, injected as `this.reasons`. */
  reasons: RunReason[];
  attempt: number;
  /** Aborted when the operator shuts down. */
  shutdown: AbortSignal;
  /** Status fields the server pruned, reported by the controller once per resource and field. */
  onPruned: (fields: string[]) => void;
  /** Each successful status write, for metrics. */
  onStatusWritten?: () => void;
}

/** How often a run without a timeout is reported as still going. */
const SLOW_RUN_WARNING_MS = 60_000;

export interface HandlerOutcome {
  requeueAfterSeconds: number | undefined;
}

export async function runHandler(
  description: ResourceDescription,
  ref: HandlerRef,
  object: KubeObject,
  deps: HandlerDependencies,
  context: RunContext,
): Promise<HandlerOutcome> {
  const record = handlerRecord(description, ref);
  const event = record.event;
  const name = handlerName(record);
  const { resource } = description;
  const key = objectKey(object);
  const HandlerClass = description.handlerClass as unknown as new () => Record<string | symbol, unknown>;
  const instance = new HandlerClass();
  const status = new StatusWriter(deps.client, {
    objectPath: objectPath(resource, object.metadata.name, object.metadata.namespace),
    resource: fullName(resource),
    objectKey: key,
    initial: object.status,
    onPruned: context.onPruned,
    onWritten: context.onStatusWritten,
    // Within a run, transient failures are retried no longer than the longest retry backoff; after that the
    // queue sends the unwritten status again (without running the handler again).
    retryForMs: Math.min(60_000, deps.config.retry.maxSeconds * 1000),
  });
  const run: HandlerRun = {
    status,
    requeueAfterSeconds: undefined,
    apply: (child) => applyChild(deps.objects, object, deps.config.name, child),
    dryRun: deps.config.dryRun === true,
  };
  const attempt = context.attempt;
  const timedOut = new AbortController();
  const copy = cloneJson(object);
  Object.assign(instance, {
    object: copy,
    args: deps.args,
    client: deps.objects,
    reasons: context.reasons,
    [HANDLER_RUN]: run,
  });
  const { clientNode } = deps;
  Object.defineProperties(instance, {
    // Most runs log nothing and never read their signal; a winston child and AbortSignal.any each cost more than
    // copying the object.
    logger: madeOnFirstRead(() =>
      deps.logger.child({ resource: fullName(resource), object: key, event, ...(attempt > 1 ? { attempt } : {}) }),
    ),
    signal: madeOnFirstRead(() => AbortSignal.any([timedOut.signal, context.shutdown])),
    crdApi: { get: () => clientNode.crdApi, configurable: true, enumerable: true },
    kubeConfig: { get: () => clientNode.kubeConfig, configurable: true, enumerable: true },
  });
  /** The run's logger (the handler's own, if it assigned one). */
  const logger = () => instance.logger as Logger;
  if (!(instance instanceof ResourceHandler)) addHelpers(instance);
  for (const arg of description.args) instance[arg.property] = deps.args[arg.property];

  const what = `${name} handler for ${key}`;
  if (deps.logger.isDebugEnabled()) logger().debug(`running ${what}`, { reasons: context.reasons });
  // Boxed: a handler may throw anything, `undefined` included, and that is a failure all the same.
  let failure: { thrown: unknown } | undefined;
  try {
    await supervise(
      Promise.resolve().then(() => (instance[record.method] as (o: KubeObject) => unknown).call(instance, copy)),
      {
        what,
        timeoutSeconds: record.timeout ?? deps.config.handlerTimeoutSeconds,
        slowEveryMs: SLOW_RUN_WARNING_MS,
        onSlow: (elapsedMs) =>
          logger().warn(
            `${what} still running after ${Math.round(elapsedMs / 1000)} s (no timeout set; see the handler's timeout option)`,
            {
              handler: name,
              runningSeconds: Math.round(elapsedMs / 1000),
            },
          ),
        onTimeout: (error) => {
          status.close();
          timedOut.abort(error);
        },
      },
    );
  } catch (error) {
    failure = { thrown: error };
  }
  if (timedOut.signal.aborted) throw asError(failure?.thrown);
  try {
    await status.flush();
  } catch (error) {
    failure ??= {
      thrown:
        error instanceof StatusWriteError
          ? error
          : new StatusWriteError(
              `writing the status of ${key} failed: ${describeError(error)}`,
              { cause: error },
              status.unsent,
            ),
    };
  }
  if (failure) throw asError(failure.thrown);
  return { requeueAfterSeconds: run.requeueAfterSeconds };
}

/** A handler property made on its first read; the handler may assign its own instead. */
function madeOnFirstRead<T>(make: () => T): PropertyDescriptor {
  let value: T | undefined;
  return {
    get: () => (value ??= make()),
    set: (assigned: T) => (value = assigned),
    configurable: true,
    enumerable: true,
  };
}

/** Handler classes need not extend ResourceHandler; they get the same status helpers. */
function addHelpers(instance: Record<string | symbol, unknown>): void {
  const proto = ResourceHandler.prototype;
  for (const name of ['status', 'setStatus', 'requeueAfter', 'apply', 'dryRun'] as const) {
    if (name in instance) continue;
    Object.defineProperty(instance, name, Object.getOwnPropertyDescriptor(proto, name)!);
  }
}
