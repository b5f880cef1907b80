// Runs an operator inside the test process, the way `bootstrap()` would, with its log lines captured.
import { Writable } from 'node:stream';
import { KubeApiError } from '@kubeop/core';
import {
  ADMISSION_API_VERSION,
  configurationName,
  KubeClient,
  loadKubeConfig,
  type Operator,
  prepareOperator,
} from '@kubeop/core/tooling';
import type { HandlerClass } from './types.js';
import { KitUsageError } from './kit-errors.js';

export interface RunOperatorOptions {
  /** The cluster to run against (`env.kubeconfigPath`, `plane.kubeconfigPath`). */
  kubeconfigPath: string;
  /** Watch this namespace only (`--namespace`); the test's own namespace, usually. Defaults to all namespaces. */
  namespace?: string;
  /** More flags, after the kit's own (later flags win): `['--retry-delay', '0.1']`. */
  argv?: string[];
  /** Environment for `KUBEOP_*` flags and `@Arg` variables. Defaults to none, so the test's own does not leak in. */
  env?: NodeJS.ProcessEnv;
  /** Resolve only once every resource was listed, so objects created next are seen as new. Defaults to true. */
  waitSynced?: boolean;
  /**
   * The operator's name (`bootstrap({ name })`): its webhook configurations are named after it, so operators that run
   * side by side with webhooks need names of their own. Defaults to `kubeop`.
   */
  name?: string;
  /** Also write the log lines to stderr as they come, to watch a test run. Defaults to `KUBEOP_TEST_LOGS=1`. */
  echoLogs?: boolean;
}

export interface RunningOperator {
  operator: Operator;
  /** Log lines so far, JSON (`--log-format json`, `--log-level debug` unless `argv` says otherwise). */
  logs: string[];
  /** The log lines joined, for `toContain` and `toMatch`. */
  logText(): string;
  /** Stops it as SIGTERM would (running handlers may finish); true when every run ended in time. */
  stop(): Promise<boolean>;
}

const running = new Set<RunningOperator>();

/**
 * Starts an operator for `handlers` in this process and resolves once it is running (and synced, by default).
 * Metrics and probe servers are off (`0`), so several operators can run side by side; turn them on with
 * `argv: ['--metrics-bind-address', ':0']`. Stop it with `stop()`, or all at once with `stopAllOperators()`.
 */
export async function runOperator(
  handlers: HandlerClass | HandlerClass[],
  options: RunOperatorOptions,
): Promise<RunningOperator> {
  const logs: string[] = [];
  const echo = options.echoLogs ?? process.env.KUBEOP_TEST_LOGS === '1';
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      const lines = String(chunk).split('\n').filter(Boolean);
      logs.push(...lines);
      if (echo) process.stderr.write(lines.map((line) => `[operator] ${line}\n`).join(''));
      done();
    },
  });
  const argv = ['--kubeconfig', options.kubeconfigPath, '--log-format', 'json', '--log-level', 'debug'];
  argv.push('--metrics-bind-address', '0', '--health-probe-bind-address', '0');
  // Admission webhooks (if a class has any) on a free loopback port, registered for the API server to call there.
  argv.push('--webhook-bind-address', '127.0.0.1:0', '--install-webhooks');
  if (options.namespace) argv.push('--namespace', options.namespace);
  argv.push(...(options.argv ?? []));
  const prepared = prepareOperator({
    handlers: [handlers].flat(),
    argv,
    env: options.env ?? {},
    logStream,
    ...(options.name ? { name: options.name } : {}),
  });
  if (prepared.kind !== 'operator')
    throw new KitUsageError(
      `runOperator: the flags ask for output, not an operator (--help or --version?): ${prepared.output}`,
    );
  const { operator } = prepared;
  await operator.start();
  const handle: RunningOperator = {
    operator,
    logs,
    logText: () => logs.join('\n'),
    stop: async () => {
      running.delete(handle);
      const drained = await operator.stop();
      if (operator.resources.some((r) => r.webhooks.length) && operator.args.installWebhooks)
        await removeWebhookConfigurations(options.kubeconfigPath, operator.config.name);
      return drained;
    },
  };
  running.add(handle);
  if (options.waitSynced ?? true) await operator.synced();
  return handle;
}

/** A stopped operator's webhooks would refuse every later request they match (failurePolicy Fail): remove them. */
async function removeWebhookConfigurations(kubeconfigPath: string, name: string): Promise<void> {
  const client = new KubeClient(loadKubeConfig({ kubeconfig: kubeconfigPath, env: {} }));
  try {
    for (const plural of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']) {
      await client
        .request('DELETE', `/apis/${ADMISSION_API_VERSION}/${plural}/${configurationName(name)}`)
        .catch((error: unknown) => {
          // Gone already, or a narrowed ServiceAccount (a manifests test) may not delete: the test cleans up then.
          if (!(error instanceof KubeApiError && (error.status === 404 || error.status === 403))) throw error;
        });
    }
  } finally {
    await client.close();
  }
}

/** Stops every operator `runOperator` started and a test left running (call it in `afterEach`). */
export async function stopAllOperators(): Promise<void> {
  await Promise.all([...running].map((handle) => handle.stop()));
}

/** Parses JSON log lines, for assertions on their fields; lines that are not JSON are skipped. */
export function parseLogs(logs: string[]): Array<Record<string, unknown>> {
  return logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
