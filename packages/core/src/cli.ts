// The command line: built-in flags plus one flag per @Arg, each also settable from an environment variable.
import yargs, { type Options } from 'yargs';
import { type ArgDescription, InvalidHandlerError, type ResourceDescription } from './explorer.js';

/** Bad command-line input; the process exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Every parsed flag: the built-in ones, and the @Arg flags under their property names. */
export interface OperatorArgs {
  createCrd: boolean;
  namespace: string | undefined;
  logLevel: LogLevel;
  logFormat: 'text' | 'json';
  kubeconfig: string | undefined;
  context: string | undefined;
  maxConcurrent: number;
  retryDelay: number;
  retryMaxDelay: number;
  shutdownTimeout: number;
  /** Default timeout of a handler run in seconds; 0 = none. */
  handlerTimeout: number;
  watchTimeout: number;
  watchdog: number;
  [property: string]: unknown;
}

export type ParseResult = { kind: 'run'; args: OperatorArgs } | { kind: 'exit'; output: string };

export interface CommandLine {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Program name in --help. Defaults to `operator`. */
  name?: string;
  /** Printed by --version. Defaults to `0.0.0`. */
  version?: string;
  /** Prefix of environment variables. Defaults to `KUBEOP`. */
  envPrefix?: string;
}

interface FlagSpec {
  flag: string;
  property: string;
  options: Options;
  env: string | false | undefined;
}

const BUILT_IN: FlagSpec[] = [
  flag('create-crd', { type: 'boolean', default: false, describe: 'Create the CustomResourceDefinition at startup if it does not exist' }),
  flag('namespace', { type: 'string', alias: 'n', describe: 'Watch one namespace (default: all namespaces)' }),
  flag('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], default: 'info', describe: 'Log level' }),
  flag('log-format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Log format' }),
  flag('kubeconfig', { type: 'string', describe: 'Path of the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)' }),
  flag('context', { type: 'string', describe: 'kubeconfig context to use (default: its current context)' }),
  flag('max-concurrent', { type: 'number', default: 10, describe: 'Objects handled at once, per resource' }),
  flag('retry-delay', { type: 'number', default: 1, describe: 'First retry delay of a failed handler, in seconds; doubles per attempt' }),
  flag('retry-max-delay', { type: 'number', default: 300, describe: 'Longest retry delay of a failed handler, in seconds' }),
  flag('shutdown-timeout', { type: 'number', default: 30, describe: 'Seconds to let running handlers finish on SIGTERM' }),
  flag('handler-timeout', {
    type: 'number',
    default: 0,
    describe: 'Default timeout of a handler run in seconds (a handler decorator\'s `timeout` overrides it); 0 = none',
  }),
  flag('watch-timeout', { type: 'number', default: 300, describe: 'Server-side timeout of each watch request, in seconds' }),
  flag('watchdog', {
    type: 'number',
    default: 180,
    // kube-apiserver 1.37 sends the first bookmark about 120 s into a quiet watch, then one a minute.
    describe: 'Restart a watch silent (no event, no bookmark) for this many seconds',
  }),
];

function flag(name: string, options: Options): FlagSpec {
  return { flag: name, property: camelCase(name), options, env: undefined };
}

export function parseCommandLine(resources: ResourceDescription[], commandLine: CommandLine): ParseResult {
  const env = commandLine.env ?? process.env;
  const prefix = commandLine.envPrefix ?? 'KUBEOP';
  const specs = [...BUILT_IN, ...resources.flatMap((r) => r.args.map(argSpec))];
  assertNoClashes(specs);

  let parser = yargs(commandLine.argv)
    .scriptName(commandLine.name ?? 'operator')
    .version(commandLine.version ?? '0.0.0')
    .strict()
    .help()
    .wrap(100)
    .usage('$0 [options]')
    .parserConfiguration({ 'camel-case-expansion': true, 'duplicate-arguments-array': false })
    .epilogue(`Every flag can also be set by an environment variable: ${prefix}_ and the flag in capitals, e.g. ${prefix}_LOG_LEVEL=debug.`);
  for (const spec of specs) {
    const envName = spec.env === false ? undefined : (spec.env ?? `${prefix}_${spec.flag.replace(/-/g, '_').toUpperCase()}`);
    const options: Options = { ...spec.options };
    const fromEnv = envName ? env[envName] : undefined;
    if (fromEnv !== undefined) options.default = fromEnvironment(fromEnv, options.type, envName!);
    if (options.default !== undefined && options.demandOption) options.demandOption = false;
    parser = parser.option(spec.flag, options);
  }

  let output = '';
  let failure: string | undefined;
  let parsed: Record<string, unknown> | undefined;
  parser
    .exitProcess(false)
    .fail((message, error) => {
      failure = withoutCamelCaseTwins(message ?? error?.message ?? 'invalid command line');
    })
    .parse(commandLine.argv, {}, (error, argv, text) => {
      if (error && !failure) failure = error.message;
      output = text;
      parsed = argv as Record<string, unknown>;
    });
  if (failure) throw new UsageError(`${failure}\nRun with --help to see the flags.`);
  if (output) return { kind: 'exit', output };
  if (!parsed) throw new UsageError('The command line could not be parsed');

  const args = { ...parsed } as OperatorArgs;
  for (const spec of specs) {
    const value = parsed[camelCase(spec.flag)];
    checkValue(spec, value);
    args[spec.property] = value;
  }
  return { kind: 'run', args };
}

function argSpec(arg: ArgDescription): FlagSpec {
  const type = arg.type === 'array' ? 'string' : arg.type;
  const options: Options = { type, describe: arg.description, demandOption: arg.required || undefined };
  if (arg.type === 'array') options.array = true;
  if (arg.default !== undefined) options.default = arg.default;
  if (arg.choices) options.choices = [...arg.choices];
  if (arg.alias.length) options.alias = arg.alias;
  return { flag: arg.flag, property: arg.property, options, env: arg.env };
}

function fromEnvironment(raw: string, type: Options['type'], name: string): unknown {
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off|)$/i.test(raw)) return false;
    throw new UsageError(`Environment variable ${name}="${raw}" is not a boolean (true or false)`);
  }
  if (type === 'number') {
    const value = Number(raw);
    if (raw.trim() === '' || Number.isNaN(value)) throw new UsageError(`Environment variable ${name}="${raw}" is not a number`);
    return value;
  }
  return raw;
}

function checkValue(spec: FlagSpec, value: unknown): void {
  const values = Array.isArray(value) ? value : [value];
  if (spec.options.type === 'number' && values.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
    throw new UsageError(`--${spec.flag} expects a number\nRun with --help to see the flags.`);
  }
}

function assertNoClashes(specs: FlagSpec[]): void {
  const seen = new Map<string, string>();
  for (const spec of specs) {
    const names = [spec.flag, ...[spec.options.alias ?? []].flat()];
    for (const name of names) {
      const owner = seen.get(name);
      if (owner) throw new InvalidHandlerError(`The flag --${name} is declared twice (${owner} and ${spec.property}); rename one with @Arg({ name })`);
      seen.set(name, spec.property);
    }
  }
}

/** yargs reports an unknown `--bad-flag` twice (bad-flag, badFlag); name it once, as typed. */
function withoutCamelCaseTwins(message: string): string {
  const match = /^Unknown arguments?: (.*)$/.exec(message);
  if (!match) return message;
  const names = match[1]!.split(', ');
  const kept = names.filter((name) => !names.some((other) => other !== name && other.includes('-') && camelCase(other) === name));
  return `Unknown argument${kept.length > 1 ? 's' : ''}: ${kept.map((n) => (n.length > 1 ? `--${n}` : `-${n}`)).join(', ')}`;
}

function camelCase(flagName: string): string {
  return flagName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
