// The path of a new user, outside this repository: pack every package, `npm create kubeop` from the tarball, install
// the tarballs, then the project's own `npm test` and `npm run local` on real control planes. Prints the figures.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@kubeop/testing';
import { objects } from '@kubeop/testing/operator';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['@kubeop/decorators', '@kubeop/core', '@kubeop/testing', '@kubeop/cli', 'create-kubeop'];
const work = mkdtempSync(join(tmpdir(), 'kubeop-scaffold-'));
const project = join(work, 'gadget-operator');
const resource = { group: 'e2e.kubeop.dev', version: 'v1alpha1', plural: 'gadgets', kind: 'Gadget' };
const figures: string[] = [];
const leftovers = new Set<ChildProcess>();

afterAll(() => {
  for (const child of leftovers) child.kill('SIGKILL');
  process.stderr.write(`[create-kubeop] ${figures.join('; ')}\n`);
  if (process.env.KUBEOP_KEEP_TEMP !== '1') rmSync(work, { recursive: true, force: true });
});

/**
 * The environment of a user's shell: this Node.js first on PATH, nothing of the npm script running jest
 * (npm_config_*, the workspace), and no KUBEOP_TEST_KUBECONFIG, so the project starts its own control plane.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$|KUBEOP_TEST_KUBECONFIG$)/i.test(key)),
  );
  return { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
}

interface Run {
  code: number | null;
  stdout: string;
  /** stdout and stderr, interleaved. */
  output: string;
}

/** Runs a command to its end, timing it under `figure` (if given); the output is kept for the failure message. */
async function run(figure: string | undefined, command: string, args: string[], cwd: string): Promise<Run> {
  const started = Date.now();
  const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  leftovers.add(child);
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => ((stdout += String(chunk)), (output += String(chunk))));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  leftovers.delete(child);
  if (figure) figures.push(`${figure} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { code, stdout, output };
}

function expectSuccess(result: Run, what: string): void {
  if (result.code !== 0) throw new Error(`${what} exited with ${result.code}:\n${result.output}`);
}

describe('a project made by create-kubeop from the packed packages', () => {
  it('passes its own test, runs on a local control plane, and installs small', async () => {
    const started = Date.now();
    const pack = await run(
      'pack',
      'npm',
      ['pack', '--json', '--pack-destination', work, ...PACKAGES.flatMap((p) => ['-w', p])],
      ROOT,
    );
    expectSuccess(pack, 'npm pack');
    const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{
      name: string;
      filename: string;
      size: number;
      unpackedSize: number;
    }>;
    expect(packed.map((p) => p.name).sort()).toEqual([...PACKAGES].sort());
    figures.push(
      ...packed.map(
        (p) => `${p.name} ${(p.size / 1024).toFixed(0)} kB packed, ${(p.unpackedSize / 1024).toFixed(0)} kB unpacked`,
      ),
    );
    const tarball = (name: string) => join(work, packed.find((p) => p.name === name)!.filename);

    // `npm create kubeop gadget-operator` is `npm exec create-kubeop`: here from the tarball, with the tarball of
    // @kubeop/decorators whose API-name rules it checks answers with.
    const created = await run(
      'create',
      'npm',
      [
        'exec',
        '--yes',
        `--package=${tarball('create-kubeop')}`,
        `--package=${tarball('@kubeop/decorators')}`,
        '--',
        'create-kubeop',
        'gadget-operator',
        '--group',
        resource.group,
        '--kind',
        resource.kind,
        '--yes',
      ],
      work,
    );
    expectSuccess(created, 'create-kubeop');
    // The project asks for the kubeop packages by range from the registry; point them (and core's own
    // dependency on decorators) at the tarballs instead.
    const pkgPath = join(project, 'package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    expect(pkg.dependencies['@kubeop/core']).toBe('^0.1.0');
    const local = Object.fromEntries(
      PACKAGES.filter((p) => p.startsWith('@kubeop/')).map((p) => [p, `file:${tarball(p)}`]),
    );
    for (const section of ['dependencies', 'devDependencies'])
      for (const name of Object.keys(pkg[section])) pkg[section][name] = local[name] ?? pkg[section][name];
    pkg.overrides = Object.fromEntries(Object.keys(local).map((name) => [name, `$${name}`]));
    writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));

    expectSuccess(await run('npm install', 'npm', ['install', '--no-audit', '--no-fund'], project), 'npm install');
    const tested = await run('npm test', 'npm', ['test'], project);
    expectSuccess(tested, "the project's npm test");
    expect(tested.output).toMatch(/\bpass 2$/m);
    expect(tested.output).toMatch(/\bfail 0$/m);
    figures.push(`scaffold to green ${((Date.now() - started) / 1000).toFixed(1)} s`);

    await runsLocally();

    // The manifests carry the CRD generated from the handler's types and the RBAC computed from the class.
    expectSuccess(await run(undefined, 'npm', ['run', 'manifests'], project), 'npm run manifests');
    const installYaml = readFileSync(join(project, 'install.yaml'), 'utf8');
    expect(installYaml).toContain('kind: ClusterRole');
    expect(installYaml).toContain('maxLength: 64');

    expectSuccess(
      await run('npm install --omit=dev', 'npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], project),
      'npm install --omit=dev',
    );
    const du = await run(undefined, 'du', ['-sk', join(project, 'node_modules')], project);
    figures.push(`production node_modules ${(Number.parseInt(du.stdout, 10) / 1024).toFixed(1)} MB`);
  }, 900_000);
});

/** `npm run local`, as a terminal runs it: an object created gets its status; Ctrl-C stops it all cleanly. */
async function runsLocally(): Promise<void> {
  const started = Date.now();
  // detached: a process group of its own, so a signal to the group is the terminal's Ctrl-C.
  const child = spawn('npm', ['run', 'local'], {
    cwd: project,
    env: userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  leftovers.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await eventually(
    () => /watching gadgets\.e2e\.kubeop\.dev/.test(output),
    `the operator to watch; output so far:\n${output}`,
    120_000,
  );
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(join(project, '.kubeop', 'kubeconfig'));
  const gadgets = objects<{ message?: string }, { state?: string; greeting?: string }>(kubeConfig, resource, 'default');
  await gadgets.create('from-kubectl', { message: 'local' });
  const ready = await gadgets.waitFor(
    'from-kubectl',
    (o) => o.status?.state === 'ready',
    `from-kubectl to be ready; output:\n${output}`,
  );
  expect(ready.status?.greeting).toBe('hello, local');
  process.kill(-child.pid!, 'SIGINT');
  await closed;
  leftovers.delete(child);
  figures.push(`npm run local to a handled object and stopped ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(output).toContain('[kubeop-local] the command exited with code 0; stopping the control plane');
}
