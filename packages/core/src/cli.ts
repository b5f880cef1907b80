// The command line: built-in flags plus one flag per @Arg, each also settable from an environment variable.
import yargs, { type Options } from 'yargs';
import { KubeopError } from './errors.js';
import { type ArgDescription, InvalidHandlerError, MAX_TIMER_SECONDS, type ResourceDescription } from './explorer.js';

/** Bad command-line input; the process exits with code 2. */
export class UsageError extends KubeopError {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

/** The line that ends a usage error the flags' --help explains. */
export const SEE_HELP = 'Run with --help to see the flags.';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Every parsed flag: the built-in ones, and the @Arg flags under their property names. */
export interface OperatorArgs {
  createCrd: boolean;
  updateCrd: boolean;
  migrateStorage: boolean;
  /** Folder of the CRDs `kubeop crd --out` generated; undefined: `crds` beside the entry script. */
  crdDir: string | undefined;
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
  /** Seconds between two resyncs of every object; 0 = off. */
  resyncPeriod: number;
  leaderElect: boolean;
  leaderElectionId: string | undefined;
  leaderElectionNamespace: string | undefined;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  /** Seconds a watch may keep failing before /readyz fails; 0 = never. */
  watchFailureTolerance: number;
  /** Seconds the API server may keep refusing the credentials (401) before /healthz fails; 0 = never. */
  unauthorizedTolerance: number;
  webhookBindAddress: string;
  webhookCertDir: string | undefined;
  installWebhooks: boolean;
  /** `NAMESPACE/NAME` of the Service in front of the webhook server. */
  webhookService: string | undefined;
  operatorNamespace: string | undefined;
  /** Seconds; 0 = the certificate module's default. */
  webhookCaLifetime: number;
  webhookCertLifetime: number;
  /** Seconds a new self-managed CA is trusted before it signs; 0 = the certificate module's default. */
  webhookCaPropagation: number;
  /** Requests a second to the API server; 0 = unlimited. */
  kubeApiQps: number;
  /** Requests at once before --kube-api-qps applies; undefined: twice the rate. */
  kubeApiBurst: number | undefined;
  /** Every write as a dry run (`dryRun=All`), logged; the Lease aside. */
  dryRun: boolean;
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

/** Allowed values of a number flag, checked after parsing whether the value came from the flag or the environment. */
interface Bounds {
  /** Smallest allowed value. */
  min?: number;
  /** Values must be greater than this. */
  above?: number;
  max?: number;
  integer?: boolean;
  /** Another flag this one must not be below. */
  atLeast?: string;
}

interface FlagSpec {
  flag: string;
  property: string;
  options: Options;
  env: string | false | undefined;
  bounds?: Bounds;
  /** Checked by parseCommandLine rather than yargs, so the message can name the environment variable too. */
  required?: boolean;
}

/** A duration in seconds, at most what setTimeout can wait (a longer one would mean none). */
const seconds = (bounds: Bounds): Bounds => ({ max: MAX_TIMER_SECONDS, ...bounds });

const BUILT_IN: FlagSpec[] = [
  flag('create-crd', {
    type: 'boolean',
    default: false,
    describe:
      'Create the CustomResourceDefinition at startup if it does not exist; with other served versions, point its conversion webhook at this operator',
  }),
  flag('update-crd', {
    type: 'boolean',
    default: false,
    describe:
      'As --create-crd, and server-side apply an existing CustomResourceDefinition whose schema or columns differ',
  }),
  flag('migrate-storage', {
    type: 'boolean',
    default: true,
    describe:
      "The leader rewrites every object at the CRD's storage version when status.storedVersions lists older ones, then prunes them (--no-migrate-storage: off)",
  }),
  flag('crd-dir', {
    type: 'string',
    describe: 'Folder of the CRDs kubeop crd --out generated (default: crds beside the entry script)',
  }),
  flag('dry-run', {
    type: 'boolean',
    default: false,
    describe:
      'Send every write with dryRun=All: the API server validates and admits it but stores nothing; each is logged as the change it would make (the leader election Lease is written for real)',
  }),
  flag('namespace', { type: 'string', alias: 'n', describe: 'Watch one namespace (default: all namespaces)' }),
  flag('log-level', {
    type: 'string',
    choices: ['error', 'warn', 'info', 'debug'],
    default: 'info',
    describe: 'Log level',
  }),
  flag('log-format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Log format' }),
  flag('kubeconfig', {
    type: 'string',
    describe: 'Path of the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)',
  }),
  flag('context', { type: 'string', describe: 'kubeconfig context to use (default: its current context)' }),
  flag(
    'max-concurrent',
    { type: 'number', default: 10, describe: 'Objects handled at once, per resource' },
    { min: 1, integer: true },
  ),
  // 0 would stay 0 when doubled: a failing handler retried in a busy loop.
  flag(
    'retry-delay',
    { type: 'number', default: 1, describe: 'First retry delay of a failed handler, in seconds; doubles per attempt' },
    seconds({ above: 0 }),
  ),
  flag(
    'retry-max-delay',
    { type: 'number', default: 300, describe: 'Longest retry delay of a failed handler, in seconds' },
    seconds({ above: 0, atLeast: 'retry-delay' }),
  ),
  flag(
    'shutdown-timeout',
    { type: 'number', default: 30, describe: 'Seconds to let running handlers finish on SIGTERM' },
    seconds({ min: 0 }),
  ),
  flag(
    'handler-timeout',
    {
      type: 'number',
      default: 0,
      describe: "Default timeout of a handler run in seconds (a handler decorator's `timeout` overrides it); 0 = none",
    },
    seconds({ min: 0 }),
  ),
  flag(
    'watch-timeout',
    { type: 'number', default: 300, describe: 'Server-side timeout of each watch request, in seconds' },
    seconds({ above: 0 }),
  ),
  flag(
    'watchdog',
    {
      type: 'number',
      default: 180,
      // kube-apiserver 1.37 sends the first bookmark about 120 s into a quiet watch, then one a minute.
      describe: 'Restart a watch silent (no event, no bookmark) for this many seconds',
    },
    seconds({ above: 0 }),
  ),
  flag(
    'resync-period',
    {
      type: 'number',
      default: 0,
      describe:
        'Queue every object again this often, in seconds, with reason resync (runs @OnReconcile, else @OnModified); 0 = off',
    },
    seconds({ min: 0 }),
  ),
  flag(
    'kube-api-qps',
    {
      type: 'number',
      default: 0,
      describe:
        "Client-side limit of requests a second to the API server, as client-go's QPS (watches count as they open); 0 = unlimited",
    },
    { min: 0, max: 1_000_000 },
  ),
  flag(
    'kube-api-burst',
    {
      type: 'number',
      describe: 'Requests sent at once before --kube-api-qps applies (default: twice --kube-api-qps, at least 1)',
    },
    { min: 1, integer: true, max: 1_000_000 },
  ),
  flag('leader-elect', {
    type: 'boolean',
    default: false,
    describe: 'Run handlers only while holding a Lease, so replicas can run side by side',
  }),
  flag('leader-election-id', {
    type: 'string',
    describe: 'Name of the Lease (default: derived from the operator name and its resources)',
  }),
  flag('leader-election-namespace', {
    type: 'string',
    describe: "Namespace of the Lease (default: the in-cluster service account's, else default)",
  }),
  flag(
    'lease-duration',
    {
      type: 'number',
      default: 15,
      describe: 'Seconds a standby waits before taking over a Lease that was not renewed',
    },
    seconds({ above: 0 }),
  ),
  flag(
    'renew-deadline',
    { type: 'number', default: 10, describe: 'Seconds the leader keeps trying to renew before it gives up leading' },
    seconds({ above: 0 }),
  ),
  flag(
    'retry-period',
    { type: 'number', default: 2, describe: 'Seconds between tries to acquire or renew the Lease' },
    seconds({ above: 0 }),
  ),
  // The defaults of these two depend on where the process runs: see bindAddressDefaults.
  flag('metrics-bind-address', {
    type: 'string',
    describe: 'Address of the Prometheus /metrics endpoint (host:port, :port; 0 = off)',
  }),
  flag('health-probe-bind-address', {
    type: 'string',
    describe: 'Address of /healthz and /readyz (host:port, :port; 0 = off)',
  }),
  flag(
    'watch-failure-tolerance',
    {
      type: 'number',
      default: 60,
      describe: 'Seconds a resource may fail to be listed or watched before /readyz fails; 0 = never',
    },
    seconds({ min: 0 }),
  ),
  flag(
    'unauthorized-tolerance',
    {
      type: 'number',
      default: 60,
      describe:
        'Seconds the API server may refuse the credentials (401) before /healthz fails, so the pod is restarted; 0 = never',
    },
    seconds({ min: 0 }),
  ),
  flag('webhook-bind-address', {
    type: 'string',
    describe:
      'Address of the HTTPS webhook server, on when a class has @OnValidate, @OnMutate or @ConvertFrom/@ConvertTo (0 = off)',
  }),
  flag('webhook-cert-dir', {
    type: 'string',
    describe:
      "Folder with the webhook server's tls.crt and tls.key (e.g. cert-manager's Secret, mounted); default: self-managed certificates in a Secret",
  }),
  flag('install-webhooks', {
    type: 'boolean',
    default: false,
    describe:
      "Create or update the ValidatingWebhookConfiguration and MutatingWebhookConfiguration at start, and point the CRDs' conversion webhooks at this operator",
  }),
  flag('webhook-service', {
    type: 'string',
    describe:
      'NAMESPACE/NAME of the Service in front of the webhook server (default: the API server calls https://127.0.0.1:<port>, a local control plane)',
  }),
  flag('operator-namespace', {
    type: 'string',
    describe:
      "The operator's own namespace: where its webhook Secret lives, left out of built-in kinds' webhooks (default: the in-cluster service account's, else default)",
  }),
  flag(
    'webhook-ca-lifetime',
    { type: 'number', default: 0, describe: 'Lifetime of a self-managed webhook CA in seconds (tests); 0 = default' },
    seconds({ min: 0 }),
  ),
  flag(
    'webhook-cert-lifetime',
    {
      type: 'number',
      default: 0,
      describe: 'Lifetime of a self-managed webhook serving certificate in seconds (tests); 0 = default',
    },
    seconds({ min: 0 }),
  ),
  flag(
    'webhook-ca-propagation',
    {
      type: 'number',
      default: 0,
      describe: 'Seconds a new self-managed webhook CA is in the CA bundle before it signs (tests); 0 = default (300)',
    },
    seconds({ min: 0 }),
  ),
];

/** Where /metrics and the probes listen unless a flag says otherwise. */
export interface BindAddressDefaults {
  metrics: string;
  probes: string;
  webhooks: string;
}

/**
 * In a pod (KUBERNETES_SERVICE_HOST is set in every container), the fixed ports where Prometheus and the kubelet are
 * pointed: :8080, :8081 and the webhook Service's :9443. Elsewhere a free port on the loopback interface (logged at
 * start; a local webhook configuration names the port bound), so two operators, or an operator and a dev server on
 * 8080, run side by side on one machine.
 */
export function bindAddressDefaults(env: NodeJS.ProcessEnv): BindAddressDefaults {
  return env.KUBERNETES_SERVICE_HOST
    ? { metrics: ':8080', probes: ':8081', webhooks: ':9443' }
    : { metrics: '127.0.0.1:0', probes: '127.0.0.1:0', webhooks: '127.0.0.1:0' };
}

const IN_POD_PORTS: Record<string, [keyof BindAddressDefaults, string]> = {
  'metrics-bind-address': ['metrics', ':8080'],
  'health-probe-bind-address': ['probes', ':8081'],
  'webhook-bind-address': ['webhooks', ':9443'],
};

function flag(name: string, options: Options, bounds?: Bounds): FlagSpec {
  return { flag: name, property: camelCase(name), options, env: undefined, bounds };
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
    .epilogue(
      `Every flag can also be set by an environment variable: ${prefix}_ and the flag in capitals, e.g. ${prefix}_LOG_LEVEL=debug.`,
    );
  const envNames = new Map<FlagSpec, string>();
  const envValues = new Map<FlagSpec, unknown>();
  const bindDefaults = bindAddressDefaults(env);
  for (const spec of specs) {
    const envName =
      spec.env === false ? undefined : (spec.env ?? `${prefix}_${spec.flag.replace(/-/g, '_').toUpperCase()}`);
    const options: Options = { ...spec.options };
    const bind = IN_POD_PORTS[spec.flag];
    if (bind) {
      options.default = bindDefaults[bind[0]];
      options.defaultDescription = `"${bind[1]}" in a pod, else "127.0.0.1:0" (a free port)`;
    }
    const fromEnv = envName ? env[envName] : undefined;
    if (envName) envNames.set(spec, envName);
    if (fromEnv !== undefined)
      envValues.set(spec, (options.default = fromEnvironment(fromEnv, options.type, envName!)));
    parser = parser.option(spec.flag, options);
  }

  let output = '';
  let failure: string | undefined;
  let parsed: Record<string, unknown> | undefined;
  // With a callback, parse() is synchronous; its return value (argv) is read through the callback instead.
  void parser
    .exitProcess(false)
    .fail((message, error) => {
      failure = withoutCamelCaseTwins(message ?? error?.message ?? 'invalid command line');
    })
    .parse(commandLine.argv, {}, (error, argv, text) => {
      if (error && !failure) failure = error.message;
      output = text;
      parsed = argv as Record<string, unknown>;
    });
  if (failure) throw new UsageError(`${failure}\n${SEE_HELP}`);
  if (output) return { kind: 'exit', output };
  if (!parsed) throw new UsageError('The command line could not be parsed');

  const values = parsed;
  const missing = specs.filter((spec) => spec.required && values[camelCase(spec.flag)] === undefined);
  if (missing.length) {
    const names = missing.map(
      (spec) => `--${spec.flag}${envNames.has(spec) ? ` (or the environment variable ${envNames.get(spec)})` : ''}`,
    );
    throw new UsageError(`Missing required argument${names.length > 1 ? 's' : ''}: ${names.join(', ')}\n${SEE_HELP}`);
  }
  const args = { ...parsed } as OperatorArgs;
  for (const spec of specs) {
    const value = values[camelCase(spec.flag)];
    checkValue(spec, value);
    args[spec.property] = value;
  }
  for (const spec of specs) {
    // A number flag without a default may be left out.
    if (!spec.bounds || values[camelCase(spec.flag)] === undefined) continue;
    const value = values[camelCase(spec.flag)] as number;
    // The value came from the environment when it is the one the variable gave (the command line would have replaced it).
    const source =
      envValues.has(spec) && Object.is(envValues.get(spec), value)
        ? `${envNames.get(spec)}=${value} (sets --${spec.flag})`
        : `--${spec.flag} ${value}`;
    const other = spec.bounds.atLeast;
    const problem = outOfBounds(
      spec.bounds,
      value,
      other === undefined ? undefined : [other, values[camelCase(other)] as number],
    );
    if (problem) throw new UsageError(`${source} is out of range: ${problem}\n${SEE_HELP}`);
  }
  // A burst alone would be silently ignored: the bucket exists only with a rate.
  if (values.kubeApiBurst !== undefined && values.kubeApiQps === 0)
    throw new UsageError(
      `--kube-api-burst ${String(values.kubeApiBurst)} has no effect without --kube-api-qps (0: unlimited): ` +
        `set the rate too, or leave the burst out\n${SEE_HELP}`,
    );
  for (const name of ['namespace', 'leader-election-namespace']) {
    const value = values[camelCase(name)];
    const problem = typeof value === 'string' ? namespaceNameProblem(value) : undefined;
    const spec = specs.find((s) => s.flag === name)!;
    const via = envValues.get(spec) === value ? ` (set by ${envNames.get(spec)})` : '';
    if (problem)
      throw new UsageError(
        `--${name} ${JSON.stringify(value)}${via} is not a namespace name: ${problem}\nRun with --help to see the flags.`,
      );
  }
  return { kind: 'run', args };
}

/** Why `name` cannot name a namespace (a DNS-1123 label), or undefined. */
export function namespaceNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.length > 63) return `it has ${name.length} characters, at most 63 are allowed`;
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return undefined;
  const lower = name.toLowerCase();
  const hint = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(lower) ? ` (did you mean ${JSON.stringify(lower)}?)` : '';
  return `only lower-case letters, digits and '-' are allowed, starting and ending with a letter or digit${hint}`;
}

/** What is wrong with `value`, or undefined; `other` is the flag named by `atLeast` and its value. */
function outOfBounds(bounds: Bounds, value: number, other?: [string, number]): string | undefined {
  if (bounds.integer && !Number.isInteger(value)) return 'must be a whole number';
  if (bounds.min !== undefined && !(value >= bounds.min)) return `must be at least ${bounds.min}`;
  if (bounds.above !== undefined && !(value > bounds.above)) return `must be greater than ${bounds.above}`;
  if (bounds.max !== undefined && !(value <= bounds.max)) return `must be at most ${bounds.max}`;
  if (other && !(value >= other[1])) return `must be at least --${other[0]} (${other[1]})`;
  return undefined;
}

function argSpec(arg: ArgDescription): FlagSpec {
  const type = arg.type === 'array' ? 'string' : arg.type;
  const describe = arg.required ? `${arg.description ?? ''} [required]`.trim() : arg.description;
  const options: Options = { type, describe };
  if (arg.type === 'array') options.array = true;
  if (arg.default !== undefined) options.default = arg.default;
  if (arg.choices) options.choices = [...arg.choices];
  if (arg.alias.length) options.alias = arg.alias;
  return { flag: arg.flag, property: arg.property, options, env: arg.env, required: arg.required };
}

function fromEnvironment(raw: string, type: Options['type'], name: string): unknown {
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off|)$/i.test(raw)) return false;
    throw new UsageError(`Environment variable ${name}="${raw}" is not a boolean (true or false)`);
  }
  if (type === 'number') {
    const value = Number(raw);
    if (raw.trim() === '' || Number.isNaN(value))
      throw new UsageError(`Environment variable ${name}="${raw}" is not a number`);
    return value;
  }
  return raw;
}

function checkValue(spec: FlagSpec, value: unknown): void {
  // A flag without a default that was not given stays undefined.
  if (value === undefined) return;
  const values = Array.isArray(value) ? value : [value];
  if (spec.options.type === 'number' && values.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
    throw new UsageError(`--${spec.flag} expects a number\n${SEE_HELP}`);
  }
}

function assertNoClashes(specs: FlagSpec[]): void {
  const seen = new Map<string, string>();
  for (const spec of specs) {
    const names = [spec.flag, ...[spec.options.alias ?? []].flat()];
    for (const name of names) {
      const owner = seen.get(name);
      if (owner)
        throw new InvalidHandlerError(
          `The flag --${name} is declared twice (${owner} and ${spec.property}); rename one with @Arg({ name })`,
        );
      seen.set(name, spec.property);
    }
  }
}

/** yargs reports an unknown `--bad-flag` twice (bad-flag, badFlag); name it once, as typed. */
function withoutCamelCaseTwins(message: string): string {
  const match = /^Unknown arguments?: (.*)$/.exec(message);
  if (!match) return message;
  const names = match[1]!.split(', ');
  const kept = names.filter(
    (name) => !names.some((other) => other !== name && other.includes('-') && camelCase(other) === name),
  );
  return `Unknown argument${kept.length > 1 ? 's' : ''}: ${kept.map((n) => (n.length > 1 ? `--${n}` : `-${n}`)).join(', ')}`;
}

function camelCase(flagName: string): string {
  return flagName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
