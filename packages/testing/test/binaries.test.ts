// resolveBinaries: KUBEBUILDER_ASSETS checks, the per-version cache, and building with a stand-in `go`.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  binaryCacheDir,
  BinaryBuildError,
  GoToolchainError,
  MissingBinaryError,
  resolveBinaries,
} from '@kubeop/testing';
import { tempDir, writeScript } from './support/fake-bin.js';

// Answers the four go commands the build runs; `go build` records itself in $FAKE_GO_CALLS and writes a script to -o.
const fakeGo = `
case "$1" in
  env) echo "\${FAKE_GO_VERSION:-go1.26.1}" ;;
  mod) ;;
  list) printf 'example.com/a\\nexample.com/b\\nexample.com/main\\n' ;;
  build)
    while [ $# -gt 0 ]; do
      case "$1" in -o) out="$2" ;; esac
      last="$1"; shift
    done
    echo "$last" >> "$FAKE_GO_CALLS"
    if [ -n "$FAKE_GO_FAIL" ]; then echo "main.go:3:1: syntax error" >&2; exit 2; fi
    sleep 0.3
    printf 'example.com/a\\nexample.com/b\\nexample.com/main\\n' >&2
    printf '#!/bin/sh\\necho built\\n' > "$out"
    ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac`;

const dirs: string[] = [];
async function scratch(prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('with KUBEBUILDER_ASSETS', () => {
  test('an empty folder is reported with the folder and both missing binaries', async () => {
    const assets = await scratch('assets');
    const error = await resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBinaryError);
    expect((error as MissingBinaryError).missing).toEqual(['etcd', 'kube-apiserver']);
    expect((error as Error).message).toContain(`KUBEBUILDER_ASSETS=${assets}`);
    expect((error as Error).message).toContain('etcd and kube-apiserver');
  });

  test('a file without the executable bit counts as missing', async () => {
    const assets = await scratch('assets');
    await writeScript(assets, 'etcd', 'exit 0');
    await writeFile(join(assets, 'kube-apiserver'), 'not executable');
    const error = await resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets } }).catch((e: unknown) => e);
    expect((error as MissingBinaryError).missing).toEqual(['kube-apiserver']);
  });

  test('kube-controller-manager is looked for only when asked, and named when missing', async () => {
    const assets = await scratch('assets');
    const etcd = await writeScript(assets, 'etcd', 'exit 0');
    const kubeApiServer = await writeScript(assets, 'kube-apiserver', 'exit 0');
    await expect(resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets } })).resolves.toStrictEqual({
      etcd,
      kubeApiServer,
      dir: assets,
    });
    const error = await resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets }, controllerManager: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingBinaryError);
    expect((error as MissingBinaryError).missing).toEqual(['kube-controller-manager']);
    expect((error as Error).message).toMatch(
      /^KUBEBUILDER_ASSETS=\S+ does not hold an executable kube-controller-manager\. /,
    );
    expect((error as Error).message).toContain('a folder with etcd, kube-apiserver and kube-controller-manager');
    expect((error as Error).message).toContain('kube-controller-manager must be v1.37.2');

    const kubeControllerManager = await writeScript(assets, 'kube-controller-manager', 'exit 0');
    await expect(resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets }, controllerManager: true })).resolves.toEqual({
      etcd,
      kubeApiServer,
      kubeControllerManager,
      dir: assets,
    });
  });

  test('complete folders are used as they are', async () => {
    const assets = await scratch('assets');
    const etcd = await writeScript(assets, 'etcd', 'exit 0');
    const kubeApiServer = await writeScript(assets, 'kube-apiserver', 'exit 0');
    await expect(resolveBinaries({ env: { KUBEBUILDER_ASSETS: assets } })).resolves.toEqual({
      etcd,
      kubeApiServer,
      dir: assets,
    });
  });
});

describe('the cache', () => {
  test('lives under KUBEOP_CACHE_DIR, else XDG_CACHE_HOME/kubeop, else ~/.cache/kubeop', () => {
    expect(binaryCacheDir({ KUBEOP_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c/control-plane');
    expect(binaryCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/kubeop/control-plane');
    expect(binaryCacheDir({})).toMatch(/\/\.cache\/kubeop\/control-plane$/);
  });

  test('cached binaries are used without Go', async () => {
    const cache = await scratch('cache');
    const etcd = await writeScript(await mkdirp(cache, 'control-plane/etcd-v3.6.16'), 'etcd', 'exit 0');
    const kubeApiServer = await writeScript(
      await mkdirp(cache, 'control-plane/kube-apiserver-v1.37.2'),
      'kube-apiserver',
      'exit 0',
    );
    const result = await resolveBinaries({ env: { KUBEOP_CACHE_DIR: cache, PATH: '/nonexistent' } });
    expect(result).toEqual({ etcd, kubeApiServer, dir: join(cache, 'control-plane') });
    const kubeControllerManager = await writeScript(
      await mkdirp(cache, 'control-plane/kube-controller-manager-v1.37.2'),
      'kube-controller-manager',
      'exit 0',
    );
    const withKcm = await resolveBinaries({
      env: { KUBEOP_CACHE_DIR: cache, PATH: '/nonexistent' },
      controllerManager: true,
    });
    expect(withKcm).toEqual({ etcd, kubeApiServer, kubeControllerManager, dir: join(cache, 'control-plane') });
  });
});

describe('building with Go', () => {
  let goDir: string;
  beforeAll(async () => {
    goDir = await scratch('go');
    await writeScript(goDir, 'go', fakeGo);
  });
  const goEnv = async (extra: NodeJS.ProcessEnv = {}) => {
    const cache = await scratch('cache');
    return {
      KUBEOP_CACHE_DIR: cache,
      FAKE_GO_CALLS: join(cache, 'calls'),
      PATH: `${goDir}:${process.env.PATH}`,
      ...extra,
    };
  };

  test('builds each binary once, even for concurrent callers, and reports progress', async () => {
    const env = await goEnv();
    const lines: string[] = [];
    const options = { env, log: (line: string) => lines.push(line), progressIntervalMs: 100 };
    const [first, second] = await Promise.all([resolveBinaries(options), resolveBinaries(options)]);
    expect(second).toEqual(first);
    expect(first.etcd).toBe(join(env.KUBEOP_CACHE_DIR, 'control-plane/etcd-v3.6.16/etcd'));
    expect(first.kubeApiServer).toBe(join(env.KUBEOP_CACHE_DIR, 'control-plane/kube-apiserver-v1.37.2/kube-apiserver'));
    expect((await readFile(env.FAKE_GO_CALLS, 'utf8')).trim().split('\n')).toEqual([
      'go.etcd.io/etcd/server/v3',
      'k8s.io/kubernetes/cmd/kube-apiserver',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^\[kubeop\] kube-apiserver v1\.37\.2: downloading Go modules/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[kubeop\] etcd v3\.6\.16: compiling 0\/3 packages/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[kubeop\] built kube-apiserver v1\.37\.2 in \d+s/));
    expect(lines).toContainEqual(expect.stringMatching(/waiting for process \d+ on .* to finish building etcd/));
  });

  test('kube-controller-manager is built last, into its own cache folder, only when asked', async () => {
    const env = await goEnv();
    const first = await resolveBinaries({ env, log: () => undefined });
    expect(first.kubeControllerManager).toBeUndefined();
    const lines: string[] = [];
    const second = await resolveBinaries({ env, log: (line) => lines.push(line), controllerManager: true });
    expect(second).toEqual({
      ...first,
      kubeControllerManager: join(
        env.KUBEOP_CACHE_DIR,
        'control-plane/kube-controller-manager-v1.37.2/kube-controller-manager',
      ),
    });
    expect((await readFile(env.FAKE_GO_CALLS, 'utf8')).trim().split('\n')).toEqual([
      'go.etcd.io/etcd/server/v3',
      'k8s.io/kubernetes/cmd/kube-apiserver',
      'k8s.io/kubernetes/cmd/kube-controller-manager',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^\[kubeop\] built kube-controller-manager v1\.37\.2 in \d+s/));
  });

  test('no go on PATH: says which Go is needed and that KUBEBUILDER_ASSETS is the alternative', async () => {
    const error = await resolveBinaries({
      env: { ...(await goEnv()), PATH: '/nonexistent' },
      log: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoToolchainError);
    expect((error as Error).message).toMatch(
      /^Go >= 1\.26 is needed to build kube-apiserver v1\.37\.2 .*go was not found on PATH.*KUBEBUILDER_ASSETS/,
    );
  });

  test('an old go is named', async () => {
    const error = await resolveBinaries({
      env: await goEnv({ FAKE_GO_VERSION: 'go1.22.4' }),
      log: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoToolchainError);
    expect((error as GoToolchainError).found).toBe('go1.22.4');
  });

  test('a failed build names the command, the exit code and the full log, and leaves no partial binary', async () => {
    const env = await goEnv({ FAKE_GO_FAIL: '1' });
    const error = await resolveBinaries({ env, log: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BinaryBuildError);
    const { message, logFile } = error as BinaryBuildError;
    expect(message).toContain('exited with code 2');
    expect(message).toContain('main.go:3:1: syntax error');
    expect(message).toContain(logFile);
    expect(await readFile(logFile, 'utf8')).toContain('$ go build');
    expect(await readdir(join(env.KUBEOP_CACHE_DIR, 'control-plane/etcd-v3.6.16'))).toEqual(['etcd.build.log']);
  });
});

async function mkdirp(root: string, path: string): Promise<string> {
  await mkdir(join(root, path), { recursive: true });
  return join(root, path);
}
