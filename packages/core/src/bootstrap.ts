// The one call of an operator's main.ts: runs the operator as a process, with exit codes and signals.
import { BOOTSTRAP_CAPTURE_KEY, type HandlerClass } from '@kubeop/decorators';
import { UsageError } from './cli.js';
import { type Operator, type OperatorOptions, prepareOperator } from './operator.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Runs an operator for the given handler classes until SIGINT or SIGTERM, then exits 0.
 * Exit codes: 2 for bad flags, 1 for a malformed handler class, a failed start or a lost leadership.
 *
 * `bootstrap(A, B)` or `bootstrap({ handlers: [A, B], name, version })`.
 */
export async function bootstrap(
  first: HandlerClass | Omit<OperatorOptions, 'argv'>,
  ...rest: HandlerClass[]
): Promise<void> {
  const options: OperatorOptions = typeof first === 'function' ? { handlers: [first, ...rest] } : first;
  // `kubeop manifests dist/main.js` imports this module for its handler classes: hand them over, run nothing.
  const capture = (globalThis as Record<symbol, unknown>)[BOOTSTRAP_CAPTURE_KEY];
  if (typeof capture === 'function') {
    (capture as (handlers: HandlerClass[]) => void)(options.handlers);
    return;
  }
  let operator: Operator;
  try {
    const prepared = prepareOperator(options);
    if (prepared.kind === 'exit') {
      process.stdout.write(`${prepared.output}\n`);
      return process.exit(EXIT_OK);
    }
    operator = prepared.operator;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    // A malformed handler class (InvalidHandlerError) is the author's bug, not the user's: exit 1, not 2.
    return process.exit(error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      operator.logger.warn(`${signal} again: exiting at once`);
      process.exit(130);
    }
    stopping = true;
    operator.logger.info(`${signal} received: stopping`);
    operator.stop().then(
      () => process.exit(EXIT_OK),
      (error: unknown) => {
        operator.logger.error(`stopping failed: ${(error as Error).message}`);
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A promise a handler left floating must not take every other object down with it.
  process.on('unhandledRejection', (reason) => {
    operator.logger.error(`unhandled promise rejection (a handler left a promise unawaited?): ${String(reason)}`, {
      stack: (reason as Error)?.stack,
    });
  });

  try {
    await operator.start();
  } catch (error) {
    operator.logger.error(`the operator could not start: ${(error as Error).message}`);
    await exitAfterLogs(operator, EXIT_FAILURE);
  }
  // Leadership lost: another replica may already be leading, so start over clean rather than carry on.
  operator.fatal.catch(() => exitAfterLogs(operator, EXIT_FAILURE));
}

async function exitAfterLogs(operator: Operator, code: number): Promise<never> {
  await new Promise((resolve) => operator.logger.on('finish', resolve).end());
  return process.exit(code);
}
