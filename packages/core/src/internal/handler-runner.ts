// Makes a fresh handler instance bound to one object, injects what it needs, calls it and waits for its status writes.
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { ResourceEvent } from '@kubeop/decorators';
import type { OperatorArgs } from '../cli.js';
import type { ResourceDescription } from '../explorer.js';
import { HANDLER_RUN, type HandlerRun, ResourceHandler } from '../handler.js';
import type { KubeClient } from '../kube/client.js';
import { type AnyObject, objectKey } from '../kube/objects.js';
import { fullName, objectPath } from '../kube/resource.js';
import type { Logger } from '../logging.js';
import { StatusWriter } from './status-writer.js';

export interface HandlerDependencies {
  client: KubeClient;
  kubeConfig: KubeConfig;
  crdApi: CustomObjectsApi;
  args: OperatorArgs;
  logger: Logger;
}

/** A status write failed after the handler itself succeeded. */
export class StatusWriteError extends Error {
  override readonly name = 'StatusWriteError';
}

export interface HandlerOutcome {
  requeueAfterSeconds: number | undefined;
}

export async function runHandler(
  description: ResourceDescription,
  event: ResourceEvent,
  object: AnyObject,
  deps: HandlerDependencies,
  attempt: number,
): Promise<HandlerOutcome> {
  const record = description.handlers[event];
  if (!record) throw new Error(`no handler for ${event}`);
  const { resource } = description;
  const HandlerClass = description.handlerClass as unknown as new () => Record<string | symbol, unknown>;
  const instance = new HandlerClass();
  const status = new StatusWriter(deps.client, objectPath(resource, object.metadata.name, object.metadata.namespace), object.status);
  const run: HandlerRun = { status, requeueAfterSeconds: undefined };
  const logger = deps.logger.child({ resource: fullName(resource), object: objectKey(object), event, ...(attempt > 1 ? { attempt } : {}) });
  const copy = structuredClone(object);
  Object.assign(instance, {
    object: copy,
    args: deps.args,
    logger,
    crdApi: deps.crdApi,
    kubeConfig: deps.kubeConfig,
    [HANDLER_RUN]: run,
  });
  if (!(instance instanceof ResourceHandler)) addHelpers(instance);
  for (const arg of description.args) instance[arg.property] = deps.args[arg.property];

  let failure: unknown;
  try {
    await (instance[record.method] as (o: AnyObject) => unknown).call(instance, copy);
  } catch (error) {
    failure = error;
  }
  try {
    await status.flush();
  } catch (error) {
    failure ??= new StatusWriteError(`writing the status of ${objectKey(object)} failed: ${(error as Error).message}`, { cause: error });
  }
  if (failure !== undefined) throw failure;
  return { requeueAfterSeconds: run.requeueAfterSeconds };
}

/** Handler classes need not extend ResourceHandler; they get the same status helpers. */
function addHelpers(instance: Record<string | symbol, unknown>): void {
  const proto = ResourceHandler.prototype;
  for (const name of ['status', 'setStatus', 'requeueAfter'] as const) {
    if (name in instance) continue;
    Object.defineProperty(instance, name, Object.getOwnPropertyDescriptor(proto, name)!);
  }
}
