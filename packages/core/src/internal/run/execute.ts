// Carries out one decided action on an object: the finalizer steps, the handler run, the status owed from an
// earlier run, and the bookkeeping annotations after a success.
import type { ResourceDescription } from '../../explorer.js';
import { type KubeObject, objectKey } from '../../kube/objects.js';
import { fullName, objectPath } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import { type Action, OWED_RUN_ANNOTATION as OWED_RUN } from '../dispatch/dispatch.js';
import { handlerNameOf } from '../dispatch/handlers.js';
import { recordHandledGeneration, recordOwedRun } from './bookkeeping.js';
import { addFinalizer, removeFinalizer } from './finalizers.js';
import { type HandlerDependencies, type RunContext, runHandler } from './handler-runner.js';
import { StatusWriteError } from './status-errors.js';
import { StatusWriter } from './status-writer.js';
import { describeError } from '../util/describe-error.js';

/** The status a successful run could not write, sent again on its own. */
export interface OwedStatus {
  kind: 'status';
  patch: unknown;
  object: KubeObject;
}

/** What an action does, for logs: "@OnAdded handler for ns/a", "adding the finalizer of ns/a". */
export function describeWork(
  action: Exclude<Action, { kind: 'skip' }> | OwedStatus,
  key: string,
  description: ResourceDescription,
): string {
  if (action.kind === 'call') return `${handlerNameOf(description, action.handler)} handler for ${key}`;
  if (action.kind === 'status') return `writing the status of ${key} again`;
  return `${action.kind === 'addFinalizer' ? 'adding' : 'removing'} the finalizer of ${key}`;
}

export interface ExecuteContext extends Omit<RunContext, 'reasons'> {
  description: ResourceDescription;
  deps: HandlerDependencies;
  /** uids whose @OnDeleted succeeded; their finalizer is being removed. */
  handledDeletions: Set<string>;
  logger: Logger;
}

function pathOf(description: ResourceDescription, object: KubeObject): string {
  return objectPath(description.resource, object.metadata.name, object.metadata.namespace);
}

/** Runs `action`; resolves with the handler's requeue-after, in seconds, if it asked for one. */
export async function execute(
  action: Exclude<Action, { kind: 'skip' }> | OwedStatus,
  context: ExecuteContext,
): Promise<number | undefined> {
  const { description, deps } = context;
  if (action.kind === 'status')
    return void (await sendOwedStatus(
      description,
      deps,
      action.object,
      action.patch,
      context.onPruned,
      context.onStatusWritten,
    ));
  const { client } = deps;
  const finalizer = description.finalizer!;
  const object = action.object;
  const path = pathOf(description, object);
  const target = { path, resource: fullName(description.resource), objectKey: objectKey(object) };
  const finishDeletion = async () => {
    context.handledDeletions.add(object.metadata.uid ?? '');
    await removeFinalizer(client, target, object, finalizer);
  };
  if (action.kind === 'addFinalizer') return void (await addFinalizer(client, target, object, finalizer));
  if (action.kind === 'removeFinalizer') return void (await finishDeletion());
  if (action.addFinalizer) await addFinalizer(client, target, object, finalizer);
  const outcome = await runHandler(description, action.handler, object, deps, { ...context, reasons: action.reasons });
  // Bookkeeping only: failing the run here would call a handler that succeeded again.
  const note = (what: string, error: unknown) =>
    context.logger.warn(`could not record ${what} of ${target.objectKey}: ${describeError(error)}`);
  const modifiedHandler = description.handlers.modified;
  const editHandler = action.handler === 'added' || action.handler === 'modified';
  if (editHandler && modifiedHandler && !modifiedHandler.everyChange)
    await recordHandledGeneration(client, path, object).catch((error: unknown) =>
      note('the handled generation', error),
    );
  if (owesAcrossRestart(description, action.handler) && object.metadata.annotations?.[OWED_RUN])
    await recordOwedRun(client, path, object, undefined).catch((error: unknown) => note('the owed run', error));
  if (action.removeFinalizer) await finishDeletion();
  return outcome.requeueAfterSeconds;
}

/** Whether a failed run of `handler` would be lost at a restart: the state rule skips @OnAdded once state is set. */
export function owesAcrossRestart(description: ResourceDescription, handler: string): boolean {
  return (
    handler === 'added' && description.handlers.added?.skipWhenStateSet === true && !description.handlers.reconcile
  );
}

/** Notes on the object that a failed run of `handler` is owed, so a restart runs it (see intentFor). */
export async function recordOwed(
  description: ResourceDescription,
  deps: HandlerDependencies,
  object: KubeObject,
  handler: 'added',
): Promise<void> {
  await recordOwedRun(deps.client, pathOf(description, object), object, handler);
}

/** Sends the status a successful run could not write; throws a StatusWriteError (with what is still unsent). */
export async function sendOwedStatus(
  description: ResourceDescription,
  deps: HandlerDependencies,
  object: KubeObject,
  patch: unknown,
  onPruned: (fields: string[]) => void,
  onWritten?: () => void,
): Promise<void> {
  const key = objectKey(object);
  const writer = new StatusWriter(deps.client, {
    objectPath: pathOf(description, object),
    resource: fullName(description.resource),
    objectKey: key,
    initial: object.status,
    onPruned,
    onWritten,
    retryForMs: Math.min(60_000, deps.config.retry.maxSeconds * 1000),
  });
  try {
    await writer.write(patch);
  } catch (error) {
    if (error instanceof StatusWriteError) throw error;
    throw new StatusWriteError(
      `writing the status of ${key} failed: ${describeError(error)}`,
      { cause: error },
      writer.unsent,
    );
  }
}
