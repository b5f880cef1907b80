import { describe, expect, it } from '@jest/globals';
import { Arg, CustomResource, OnAdded } from '@kubeop/decorators';
import { type OperatorArgs, UsageError } from '@kubeop/core';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { parseCommandLine } from '../src/cli.js';
import { runtimeConfigFromArgs } from '../src/config.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
class Handler {
  @Arg({ description: 'My useful arg' }) myArgument!: string;
  @Arg({ default: 3 }) replicas!: number;
  @Arg() verbose!: boolean;
  @Arg() tags!: string[];
  @Arg({ choices: ['fast', 'slow'], default: 'fast', alias: 's' }) speed!: string;
  @OnAdded() created(): void {}
}

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'others', kind: 'Other' })
class Strict {
  @Arg({ required: true, env: 'TOKEN_FILE' }) token!: string;
  @Arg({ env: false }) secret!: string;
  @OnAdded() created(): void {}
}

function run(argv: string[], env: NodeJS.ProcessEnv = {}, handlers: Array<new () => object> = [Handler]): OperatorArgs {
  const result = parseCommandLine(
    handlers.map((h) => describeHandlerClass(h)),
    { argv, env },
  );
  if (result.kind !== 'run') throw new Error(`expected a run, got: ${result.output}`);
  return result.args;
}

describe('parseCommandLine', () => {
  it('has the built-in flags with their defaults', () => {
    const args = run([]);
    expect(args).toMatchObject({
      createCrd: false,
      namespace: undefined,
      logLevel: 'info',
      logFormat: 'text',
      maxConcurrent: 10,
      shutdownTimeout: 30,
      retryDelay: 1,
      retryMaxDelay: 300,
      dryRun: false,
    });
  });

  it('parses built-in flags', () => {
    const args = run([
      '--create-crd',
      '--namespace',
      'team-a',
      '--log-level=debug',
      '--log-format',
      'json',
      '--max-concurrent',
      '4',
      '--dry-run',
    ]);
    expect(args).toMatchObject({
      createCrd: true,
      dryRun: true,
      namespace: 'team-a',
      logLevel: 'debug',
      logFormat: 'json',
      maxConcurrent: 4,
    });
  });

  it('turns each @Arg into a kebab-case flag of its type', () => {
    const args = run(['--my-argument', 'hello', '--replicas', '5', '--verbose', '--tags', 'a', 'b', '-s', 'slow']);
    expect(args).toMatchObject({ myArgument: 'hello', replicas: 5, verbose: true, tags: ['a', 'b'], speed: 'slow' });
  });

  it('applies defaults', () => {
    expect(run([])).toMatchObject({ replicas: 3, speed: 'fast', myArgument: undefined });
  });

  it('reads flags from prefixed environment variables, the command line winning', () => {
    const env = {
      KUBEOP_MY_ARGUMENT: 'from-env',
      KUBEOP_REPLICAS: '7',
      KUBEOP_VERBOSE: 'true',
      KUBEOP_NAMESPACE: 'ns1',
    };
    expect(run([], env)).toMatchObject({ myArgument: 'from-env', replicas: 7, verbose: true, namespace: 'ns1' });
    expect(run(['--replicas', '9'], env)).toMatchObject({ replicas: 9 });
  });

  it('honours a custom environment variable name and env: false', () => {
    const args = run([], { TOKEN_FILE: '/t', KUBEOP_SECRET: 'leak' }, [Strict]);
    expect(args).toMatchObject({ token: '/t', secret: undefined });
  });

  it('refuses a missing required flag, naming the flag and its environment variable', () => {
    expect(() => run([], {}, [Strict])).toThrow(UsageError);
    expect(() => run([], {}, [Strict])).toThrow(
      'Missing required argument: --token (or the environment variable TOKEN_FILE)\n',
    );
  });

  it('names the default environment variable of a required flag, and none when env is false', () => {
    @CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'targets', kind: 'Target' })
    class Needy {
      @Arg({ required: true }) target!: string;
      @Arg({ required: true, env: false }) apiKey!: string;
      @OnAdded() created(): void {}
    }
    expect(() => run([], {}, [Needy])).toThrow(
      'Missing required arguments: --target (or the environment variable KUBEOP_TARGET), --api-key\nRun with --help',
    );
    expect(run(['--api-key', 'k'], { KUBEOP_TARGET: 't' }, [Needy])).toMatchObject({ target: 't', apiKey: 'k' });
  });

  it.each([
    [['--bogus-flag'], /^Unknown argument: --bogus-flag\n/],
    [['--replicas', 'many'], /--replicas expects a number/],
    [['--log-level', 'loud'], /Invalid values:[\s\S]*log-level/],
    [['--speed', 'medium'], /Invalid values:[\s\S]*speed/],
  ])('refuses %j with a UsageError', (argv, message) => {
    expect(() => run(argv)).toThrow(UsageError);
    expect(() => run(argv)).toThrow(message);
  });

  it.each([
    [['--watchdog', '0'], '--watchdog 0 is out of range: must be greater than 0'],
    [['--watch-timeout', '0'], '--watch-timeout 0 is out of range: must be greater than 0'],
    [['--max-concurrent', '0'], '--max-concurrent 0 is out of range: must be at least 1'],
    [['--max-concurrent', '2.5'], '--max-concurrent 2.5 is out of range: must be a whole number'],
    [['--retry-delay', '-5'], '--retry-delay -5 is out of range: must be greater than 0'],
    [['--retry-max-delay', '0'], '--retry-max-delay 0 is out of range: must be greater than 0'],
    [
      ['--retry-delay', '10', '--retry-max-delay', '5'],
      '--retry-max-delay 5 is out of range: must be at least --retry-delay (10)',
    ],
    [['--shutdown-timeout', '-1'], '--shutdown-timeout -1 is out of range: must be at least 0'],
    [['--handler-timeout', '-0.5'], '--handler-timeout -0.5 is out of range: must be at least 0'],
    [['--shutdown-timeout', '1e10'], '--shutdown-timeout 10000000000 is out of range: must be at most 2147483'],
  ])('refuses the out-of-range %j, naming the flag', (argv, message) => {
    expect(() => run(argv)).toThrow(UsageError);
    expect(() => run(argv)).toThrow(`${message}\nRun with --help to see the flags.`);
  });

  it('accepts the edges of each range', () => {
    const argv = [
      '--max-concurrent',
      '1',
      '--shutdown-timeout',
      '0',
      '--handler-timeout',
      '0',
      '--watchdog',
      '0.5',
      '--watch-timeout',
      '1',
    ];
    expect(run([...argv, '--retry-delay', '2', '--retry-max-delay', '2'])).toMatchObject({
      maxConcurrent: 1,
      shutdownTimeout: 0,
      retryMaxDelay: 2,
    });
  });

  it('names the environment variable when an out-of-range value came from it', () => {
    expect(() => run([], { KUBEOP_WATCHDOG: '0' })).toThrow(
      'KUBEOP_WATCHDOG=0 (sets --watchdog) is out of range: must be greater than 0',
    );
    expect(() => run(['--retry-max-delay', '2'], { KUBEOP_RETRY_DELAY: '3' })).toThrow(
      '--retry-max-delay 2 is out of range',
    );
    // The command line wins over the environment, so a bad variable overridden by a good flag is no error.
    expect(run(['--watchdog', '5'], { KUBEOP_WATCHDOG: '0' })).toMatchObject({ watchdog: 5 });
  });

  it('refuses a malformed number in the environment', () => {
    expect(() => run([], { KUBEOP_REPLICAS: 'x' })).toThrow('Environment variable KUBEOP_REPLICAS="x" is not a number');
  });

  it('prints help listing every flag with its description', () => {
    const result = parseCommandLine([describeHandlerClass(Handler)], {
      argv: ['--help'],
      env: {},
      name: 'my-operator',
    });
    expect(result.kind).toBe('exit');
    const output = result.kind === 'exit' ? result.output : '';
    for (const flag of [
      '--create-crd',
      '--namespace',
      '--log-level',
      '--kubeconfig',
      '--context',
      '--my-argument',
      '--verbose',
      '--dry-run',
      '--tags',
    ]) {
      expect(output).toContain(flag);
    }
    expect(output).toContain('My useful arg');
    expect(output).toContain('my-operator');
  });

  it('prints the version', () => {
    expect(
      parseCommandLine([describeHandlerClass(Handler)], { argv: ['--version'], env: {}, version: '1.2.3' }),
    ).toEqual({ kind: 'exit', output: '1.2.3' });
  });
});

describe('default bind addresses', () => {
  it('take a free loopback port outside a pod, so two operators or a dev server on 8080 do not collide', () => {
    expect(run([])).toMatchObject({ metricsBindAddress: '127.0.0.1:0', healthProbeBindAddress: '127.0.0.1:0' });
  });

  it("are :8080 and :8081 in a pod, where the manifests' Prometheus port and probes point", () => {
    expect(run([], { KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toMatchObject({
      metricsBindAddress: ':8080',
      healthProbeBindAddress: ':8081',
    });
  });

  it('give way to a flag or its environment variable', () => {
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBEOP_METRICS_BIND_ADDRESS: '0' };
    expect(run(['--health-probe-bind-address', ':9000'], env)).toMatchObject({
      metricsBindAddress: '0',
      healthProbeBindAddress: ':9000',
    });
  });
});

describe('probe tolerances', () => {
  it('default to 60 s and take 0 (never)', () => {
    expect(run([])).toMatchObject({ watchFailureTolerance: 60, unauthorizedTolerance: 60 });
    expect(run(['--watch-failure-tolerance', '0', '--unauthorized-tolerance', '0.5'])).toMatchObject({
      watchFailureTolerance: 0,
      unauthorizedTolerance: 0.5,
    });
    expect(() => run(['--unauthorized-tolerance', '-1'])).toThrow('--unauthorized-tolerance -1 is out of range');
  });
});

describe('namespace names', () => {
  it('refuses a name no namespace can have, naming the flag and suggesting the lower-case one', () => {
    const refused = () => run(['-n', 'Default']);
    expect(refused).toThrow(UsageError);
    expect(refused).toThrow(
      '--namespace "Default" is not a namespace name: only lower-case letters, digits and \'-\' are allowed, ' +
        'starting and ending with a letter or digit (did you mean "default"?)',
    );
    expect(() => run(['--namespace', 'team_a'])).toThrow('--namespace "team_a" is not a namespace name');
    expect(() => run(['--namespace', 'a'.repeat(64)])).toThrow('it has 64 characters, at most 63 are allowed');
    expect(() => run(['--leader-election-namespace', 'Kube-System'])).toThrow(
      '--leader-election-namespace "Kube-System" is not a namespace name',
    );
  });

  it('names the environment variable that set a bad one', () => {
    expect(() => run([], { KUBEOP_NAMESPACE: 'Prod' })).toThrow(
      '--namespace "Prod" (set by KUBEOP_NAMESPACE) is not a namespace name',
    );
  });

  it('accepts valid names', () => {
    expect(run(['-n', 'team-a1'])).toMatchObject({ namespace: 'team-a1' });
    expect(run(['-n', 'a'.repeat(63)]).namespace).toHaveLength(63);
  });
});

describe('repeated flags', () => {
  it('take the last value, as most command lines do', () => {
    expect(run(['--log-level', 'debug', '--log-level', 'warn'])).toMatchObject({ logLevel: 'warn' });
  });
});

describe('API rate limit flags', () => {
  const config = (args: OperatorArgs) =>
    runtimeConfigFromArgs(args, { name: 'op', resources: [], inClusterNamespace: undefined }).kubeApi;

  it('are off by default, and the burst defaults to twice the rate (at least 1), as client-go has 5 and 10', () => {
    expect(run([])).toMatchObject({ kubeApiQps: 0, kubeApiBurst: undefined });
    expect(config(run([]))).toEqual({ qps: 0, burst: 1 });
    expect(config(run(['--kube-api-qps', '5']))).toEqual({ qps: 5, burst: 10 });
    expect(config(run(['--kube-api-qps', '0.2']))).toEqual({ qps: 0.2, burst: 1 });
    expect(config(run(['--kube-api-qps', '0.5', '--kube-api-burst', '3']))).toEqual({ qps: 0.5, burst: 3 });
    expect(config(run([], { KUBEOP_KUBE_API_QPS: '20', KUBEOP_KUBE_API_BURST: '30' }))).toEqual({
      qps: 20,
      burst: 30,
    });
  });

  it.each([
    [['--kube-api-qps', '-1'], '--kube-api-qps -1 is out of range: must be at least 0'],
    [['--kube-api-qps', 'Infinity'], '--kube-api-qps Infinity is out of range: must be at most 1000000'],
    [['--kube-api-qps', '5', '--kube-api-burst', '0'], '--kube-api-burst 0 is out of range: must be at least 1'],
    [['--kube-api-qps', '5', '--kube-api-burst', '-2'], '--kube-api-burst -2 is out of range: must be at least 1'],
    [
      ['--kube-api-qps', '5', '--kube-api-burst', '1.5'],
      '--kube-api-burst 1.5 is out of range: must be a whole number',
    ],
  ])('refuses %j, naming the flag', (argv, message) => {
    expect(() => run(argv)).toThrow(UsageError);
    expect(() => run(argv)).toThrow(`${message}\nRun with --help to see the flags.`);
  });

  it('refuses a burst without a rate, which would do nothing', () => {
    expect(() => run(['--kube-api-burst', '5'])).toThrow(
      '--kube-api-burst 5 has no effect without --kube-api-qps (0: unlimited): set the rate too, or leave the burst out',
    );
    expect(() => run([], { KUBEOP_KUBE_API_BURST: '5' })).toThrow('has no effect without --kube-api-qps');
  });

  it('names the environment variable a bad value came from', () => {
    expect(() => run([], { KUBEOP_KUBE_API_BURST: '0' })).toThrow(
      'KUBEOP_KUBE_API_BURST=0 (sets --kube-api-burst) is out of range: must be at least 1',
    );
    expect(() => run(['--kube-api-qps', 'x'])).toThrow('--kube-api-qps expects a number');
  });
});
