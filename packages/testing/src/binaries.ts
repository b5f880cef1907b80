// Finds the server binaries: in $KUBEBUILDER_ASSETS, in the per-version cache, or by building them once with Go.
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  checkGo,
  etcdTarget,
  goBuild,
  kubeApiServerTarget,
  kubeControllerManagerTarget,
  type GoBuildTarget,
} from './build.js';
import { acquireLock } from './lock.js';
import { KUBERNETES_VERSION } from './versions.js';
import { TestingError } from './errors.js';

/** Absolute paths of the server binaries. */
export interface Binaries {
  etcd: string;
  kubeApiServer: string;
  /** Set when resolved with `controllerManager: true`; needed by `startControlPlane({ controllerManager: true })`. */
  kubeControllerManager?: string;
  /** `$KUBEBUILDER_ASSETS`, or the cache folder holding one sub-folder per binary and version. */
  dir: string;
}

export interface ResolveBinariesOptions {
  /** Also find (or build) kube-controller-manager. Defaults to false. */
  controllerManager?: boolean;
  /** Environment to read KUBEBUILDER_ASSETS, KUBEOP_CACHE_DIR, XDG_CACHE_HOME and PATH from. Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where build progress goes. Defaults to stderr. */
  log?: (line: string) => void;
  /** Minimum time between two build progress lines. Defaults to 10000. */
  progressIntervalMs?: number;
}

/** `$KUBEBUILDER_ASSETS` lacks a binary, or holds one that cannot be executed. */
export class MissingBinaryError extends TestingError {
  override name = 'MissingBinaryError';
  readonly code = 'BINARY_MISSING';
  readonly dir: string;
  readonly missing: string[];

  constructor(dir: string, missing: string[]) {
    const wanted = missing.includes('kube-controller-manager')
      ? ['etcd', 'kube-apiserver', 'kube-controller-manager']
      : ['etcd', 'kube-apiserver'];
    super(
      `KUBEBUILDER_ASSETS=${dir} does not hold an executable ${listOf(missing)}. ` +
        `Point it at a folder with ${listOf(wanted)}, or unset it to build them with Go.` +
        // setup-envtest's folders never have one.
        (missing.includes('kube-controller-manager')
          ? ` kube-controller-manager must be ${KUBERNETES_VERSION} like kube-apiserver.`
          : ''),
    );
    this.dir = dir;
    this.missing = missing;
  }
}

/** The folder binaries are cached in: `${KUBEOP_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/kubeop}/control-plane`. */
export function binaryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.KUBEOP_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kubeop');
  return join(root, 'control-plane');
}

/** Returns usable binaries, building missing ones into the cache (once per machine and version; minutes on a cold Go cache). */
export async function resolveBinaries(options: ResolveBinariesOptions = {}): Promise<Binaries> {
  const env = options.env ?? process.env;
  const assets = env.KUBEBUILDER_ASSETS;
  if (assets) {
    const binaries: Binaries = {
      etcd: join(assets, 'etcd'),
      kubeApiServer: join(assets, 'kube-apiserver'),
      dir: assets,
    };
    if (options.controllerManager) binaries.kubeControllerManager = join(assets, 'kube-controller-manager');
    const missing: string[] = [];
    for (const name of ['etcd', 'kube-apiserver', ...(options.controllerManager ? ['kube-controller-manager'] : [])]) {
      if (!(await isExecutableFile(join(assets, name)))) missing.push(name);
    }
    if (missing.length > 0) throw new MissingBinaryError(assets, missing);
    return binaries;
  }

  const dir = binaryCacheDir(env);
  const build = {
    env,
    log: options.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
    progressIntervalMs: options.progressIntervalMs ?? 10_000,
  };
  // One after the other: each build alone can use both cores and gigabytes of memory.
  const etcd = await cachedBinary(dir, etcdTarget, build);
  const kubeApiServer = await cachedBinary(dir, kubeApiServerTarget, build);
  if (!options.controllerManager) return { etcd, kubeApiServer, dir };
  const kubeControllerManager = await cachedBinary(dir, kubeControllerManagerTarget, build);
  return { etcd, kubeApiServer, kubeControllerManager, dir };
}

async function cachedBinary(
  cacheDir: string,
  target: GoBuildTarget,
  build: { env: NodeJS.ProcessEnv; log: (line: string) => void; progressIntervalMs: number },
): Promise<string> {
  const dir = join(cacheDir, `${target.binary}-${target.version}`);
  const file = join(dir, target.binary);
  if (await isExecutableFile(file)) return file;

  await mkdir(dir, { recursive: true });
  let lastWaitLog = -Infinity;
  const release = await acquireLock(join(dir, '.lock'), {
    onWait: (owner, waitedMs) => {
      if (waitedMs - lastWaitLog < build.progressIntervalMs) return;
      lastWaitLog = waitedMs;
      const who = owner ? `process ${owner.pid} on ${owner.host}` : 'another process';
      build.log(`[kubeop] waiting for ${who} to finish building ${target.binary} ${target.version} into ${dir}`);
    },
  });
  try {
    // Whoever held the lock before may have built it meanwhile.
    if (await isExecutableFile(file)) return file;
    build.log(
      `[kubeop] ${target.binary} ${target.version} is not cached: building it with Go into ${dir} ` +
        '(once per machine; a cold build of a Kubernetes server takes 5-20 minutes). Set KUBEBUILDER_ASSETS to use existing binaries.',
    );
    await checkGo(build.env);
    await goBuild(target, file, build);
    return file;
  } finally {
    await release();
  }
}

function listOf(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
