// Builds kube-apiserver, kube-controller-manager or etcd with Go from the modules shipped in go/, with progress on stderr.
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ETCD_VERSION, KUBERNETES_VERSION, MIN_GO_VERSION } from './versions.js';
import { TestingError } from './errors.js';

/** One binary and the Go module that builds it. */
export interface GoBuildTarget {
  binary: 'kube-apiserver' | 'kube-controller-manager' | 'etcd';
  version: string;
  /** Folder holding the go.mod (in this package's go/ folder). */
  moduleDir: string;
  /** The main package to build. */
  packagePath: string;
  ldflags: string;
}

const goDir = fileURLToPath(new URL('../go/', import.meta.url));
const versionPkg = 'k8s.io/component-base/version';
const [, k8sMajor, k8sMinor] = /^v(\d+)\.(\d+)\./.exec(KUBERNETES_VERSION) ?? [];

// Without the version stamp /version says v0.0.0-master, which breaks clients that gate on the server version.
const kubernetesLdflags = [
  '-s -w',
  `-X ${versionPkg}.gitVersion=${KUBERNETES_VERSION}`,
  `-X ${versionPkg}.gitMajor=${k8sMajor}`,
  `-X ${versionPkg}.gitMinor=${k8sMinor}`,
  `-X ${versionPkg}.gitTreeState=clean`,
].join(' ');

// Both come from one module, so they share one k8s.io/kubernetes version and one go.sum.
export const kubeApiServerTarget: GoBuildTarget = {
  binary: 'kube-apiserver',
  version: KUBERNETES_VERSION,
  moduleDir: join(goDir, 'kubernetes'),
  packagePath: 'k8s.io/kubernetes/cmd/kube-apiserver',
  ldflags: kubernetesLdflags,
};

export const kubeControllerManagerTarget: GoBuildTarget = {
  binary: 'kube-controller-manager',
  version: KUBERNETES_VERSION,
  moduleDir: join(goDir, 'kubernetes'),
  packagePath: 'k8s.io/kubernetes/cmd/kube-controller-manager',
  ldflags: kubernetesLdflags,
};

export const etcdTarget: GoBuildTarget = {
  binary: 'etcd',
  version: ETCD_VERSION,
  moduleDir: join(goDir, 'etcd'),
  packagePath: 'go.etcd.io/etcd/server/v3',
  ldflags: '-s -w',
};

/** Go is missing or too old to build the binaries. */
export class GoToolchainError extends TestingError {
  override name = 'GoToolchainError';
  readonly code = 'GO_TOOLCHAIN_MISSING';
  /** The `go env GOVERSION` found, or undefined when `go` is not on PATH. */
  readonly found: string | undefined;

  constructor(found: string | undefined) {
    super(
      `Go >= ${MIN_GO_VERSION} is needed to build kube-apiserver ${KUBERNETES_VERSION} and etcd ${ETCD_VERSION} ` +
        `(${found ? `found ${found}` : 'go was not found on PATH'}). Install Go (https://go.dev/dl/), ` +
        'or set KUBEBUILDER_ASSETS to a folder holding etcd and kube-apiserver binaries (e.g. from setup-envtest).',
    );
    this.found = found;
  }
}

/** A `go` command failed while building a binary; the full output is in `logFile`. */
export class BinaryBuildError extends TestingError {
  override name = 'BinaryBuildError';
  readonly code = 'BINARY_BUILD_FAILED';
  readonly binary: string;
  readonly exitCode: number | null;
  readonly logFile: string;

  constructor(binary: string, command: string, exitCode: number | null, logFile: string, tail: string) {
    super(`Building ${binary} failed: \`${command}\` exited with code ${exitCode}. Full output: ${logFile}\n${tail}`);
    this.binary = binary;
    this.exitCode = exitCode;
    this.logFile = logFile;
  }
}

export interface GoBuildOptions {
  /** Environment for `go` (PATH, GOPATH, GOPROXY, ...). */
  env: NodeJS.ProcessEnv;
  /** Where progress lines go. */
  log: (line: string) => void;
  /** Minimum time between two progress lines of the same phase. */
  progressIntervalMs: number;
}

/** Checks that `go` exists and is recent enough; returns its version (e.g. `go1.26.8`). */
export async function checkGo(env: NodeJS.ProcessEnv): Promise<string> {
  let version: string;
  try {
    const result = await run('go', ['env', 'GOVERSION'], { cwd: goDir, env, captureStdout: true });
    if (result.code !== 0) throw new GoToolchainError(`a go that fails: ${result.tail.trim()}`);
    version = result.stdout.trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new GoToolchainError(undefined);
    throw error;
  }
  const match = /go(\d+)\.(\d+)/.exec(version);
  const [wantMajor, wantMinor] = MIN_GO_VERSION.split('.').map(Number) as [number, number];
  const tooOld =
    match && (Number(match[1]) < wantMajor || (Number(match[1]) === wantMajor && Number(match[2]) < wantMinor));
  if (tooOld) throw new GoToolchainError(version);
  return version;
}

/** Builds `target` into `outFile`, through a temporary file in the same folder so readers never see half a binary. */
export async function goBuild(target: GoBuildTarget, outFile: string, options: GoBuildOptions): Promise<void> {
  const logFile = `${outFile}.build.log`;
  const logStream = createWriteStream(logFile);
  // GOTOOLCHAIN=local: fail loudly instead of downloading a toolchain; -mod=readonly: never rewrite the shipped go.mod.
  const env = { ...options.env, GOTOOLCHAIN: 'local', GOWORK: 'off', CGO_ENABLED: '0' };
  const progress = new Progress(`${target.binary} ${target.version}`, options.log, options.progressIntervalMs);
  const tmpFile = join(dirname(outFile), `.${target.binary}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const step = async (args: string[], extra: Partial<RunOptions> = {}): Promise<RunResult> => {
    const result = await run('go', args, { cwd: target.moduleDir, env, log: logStream, ...extra });
    if (result.code !== 0)
      throw new BinaryBuildError(target.binary, `go ${args.join(' ')}`, result.code, logFile, result.tail);
    return result;
  };
  try {
    progress.phase('downloading Go modules');
    await step(['mod', 'download']);

    progress.phase('listing packages');
    // -trimpath matters: staleness is computed for these flags, so cached packages are not counted.
    const listed = await step(
      ['list', '-mod=readonly', '-trimpath', '-deps', '-f', '{{if .Stale}}{{.ImportPath}}{{end}}', target.packagePath],
      {
        captureStdout: true,
      },
    );
    const total = listed.stdout.split('\n').filter((line) => line.trim()).length;

    progress.phase('compiling', total);
    await step(
      ['build', '-mod=readonly', '-trimpath', '-v', '-ldflags', target.ldflags, '-o', tmpFile, target.packagePath],
      {
        // `go build -v` prints each package's import path as it is compiled (cached ones are not printed).
        onStderrLine: (line) => {
          if (/^[\w.~+/-]+$/.test(line)) progress.compiled();
        },
      },
    );
    await chmod(tmpFile, 0o755);
    await rename(tmpFile, outFile);
    progress.done(outFile);
  } finally {
    progress.stop();
    await rm(tmpFile, { force: true });
    await new Promise((resolve) => logStream.end(resolve));
  }
}

/** Prints the phase at once, then a status line at most every `intervalMs`. */
class Progress {
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private name = '';
  private compiledCount = 0;
  private total: number | undefined;
  private lastPrint = 0;
  private readonly label: string;
  private readonly log: (line: string) => void;
  private readonly intervalMs: number;

  constructor(label: string, log: (line: string) => void, intervalMs: number) {
    this.label = label;
    this.log = log;
    this.intervalMs = intervalMs;
    this.timer = setInterval(() => this.print(false), Math.max(100, Math.min(intervalMs, 1_000)));
    this.timer.unref();
  }

  phase(name: string, total?: number): void {
    this.name = name;
    this.total = total;
    this.compiledCount = 0;
    this.print(true);
  }

  compiled(): void {
    this.compiledCount++;
  }

  done(outFile: string): void {
    this.log(`[kubeop] built ${this.label} in ${formatDuration(Date.now() - this.started)}: ${outFile}`);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private print(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastPrint < this.intervalMs) return;
    this.lastPrint = now;
    let status = this.name;
    if (this.total !== undefined) {
      status =
        this.compiledCount >= this.total && this.total > 0
          ? `linking (${this.total}/${this.total} packages compiled)`
          : `compiling ${this.compiledCount}/${this.total} packages`;
    }
    this.log(`[kubeop] ${this.label}: ${status}, ${formatDuration(now - this.started)} elapsed`);
  }
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  log?: WriteStream;
  captureStdout?: boolean;
  onStderrLine?: (line: string) => void;
}

interface RunResult {
  code: number | null;
  stdout: string;
  /** The last lines of output, for error messages. */
  tail: string;
}

function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    options.log?.write(`$ ${command} ${args.join(' ')}\n`);
    let stdout = '';
    const tail: string[] = [];
    const keep = (line: string): void => {
      options.log?.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (options.captureStdout) stdout += `${line}\n`;
      else keep(line);
    });
    const stderr = createInterface({ input: child.stderr });
    stderr.on('line', (line) => {
      keep(line);
      options.onStderrLine?.(line);
    });
    child.on('error', reject);
    // 'close' rather than 'exit': all output lines have been read by then.
    child.on('close', (code) => resolve({ code, stdout, tail: tail.join('\n') }));
  });
}
