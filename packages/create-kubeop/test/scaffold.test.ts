// create-kubeop from flags, prompts and --yes: what it writes, what it refuses, and how its command line fails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { type Ask, parseFlags, projectFiles, resolveAnswers, scaffold } from '../src/index.js';
import { tsconfig } from '../src/templates/tsconfig.js';

/** The compiled command line: `npm test` builds it before jest runs. */
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'create-kubeop-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Answers questions from a list, recording them; undefined once the list is used up (input ended). */
function scripted(lines: string[]): Ask & { questions: string[] } {
  const questions: string[] = [];
  return Object.assign(async (question: string) => (questions.push(question), lines.shift()), { questions });
}

/** Runs the command line with `input` on stdin. */
function cli(args: string[], input = '') {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: work, input, encoding: 'utf8' });
}

describe('answers', () => {
  it('takes flags as given, and with --yes the defaults for the rest, the plural derived from the kind', async () => {
    const ask = scripted([]);
    const answers = await resolveAnswers(
      parseFlags(['ops', '--group', 'acme.io', '--kind', 'Policy', '--yes']),
      ask,
      work,
    );
    expect(answers).toEqual({
      dir: join(work, 'ops'),
      name: 'ops',
      group: 'acme.io',
      version: 'v1alpha1',
      kind: 'Policy',
      plural: 'policies',
    });
    expect(ask.questions).toEqual([]);
  });

  it('asks for what is missing, offering defaults, and asks again after an invalid answer', async () => {
    const ask = scripted(['asked', 'nodot', 'acme.io', '', 'StaticSite', '']);
    const told: string[] = [];
    const answers = await resolveAnswers(parseFlags([]), ask, work, (line) => told.push(line));
    expect(told).toEqual([
      '  group "nodot" must be a DNS subdomain with at least one dot, in lower case, such as example.com or widgets.acme.io',
    ]);
    expect(answers).toMatchObject({
      name: 'asked',
      group: 'acme.io',
      version: 'v1alpha1',
      kind: 'StaticSite',
      plural: 'staticsites',
    });
    expect(ask.questions).toEqual([
      'folder (my-operator): ',
      'group (example.com): ',
      'group (example.com): ',
      'version (v1alpha1): ',
      'kind (Widget): ',
      'plural (staticsites): ',
    ]);
  });

  it('rejects an invalid flag, naming the rule', async () => {
    await expect(resolveAnswers(parseFlags(['x', '--version', 'v1.0', '--yes']), scripted([]), work)).rejects.toThrow(
      'version "v1.0" must look like v1, v1alpha1 or v2beta3',
    );
  });
});

describe('the project', () => {
  it('is a handler, main.ts, a test, tsconfigs, a Dockerfile and a README, named after the kind', async () => {
    const answers = await resolveAnswers(
      parseFlags(['sites', '--group', 'web.acme.io', '--version', 'v1beta1', '--kind', 'StaticSite', '--yes']),
      scripted([]),
      work,
    );
    const written = await scaffold(answers);
    expect(written.sort()).toEqual(
      [
        '.dockerignore',
        '.gitignore',
        'Dockerfile',
        'README.md',
        'package.json',
        'src/main.ts',
        'src/static-site.handler.ts',
        'test/static-site.int.test.ts',
        'tsconfig.json',
        'tsconfig.test.json',
      ].sort(),
    );
    const read = (path: string) => readFileSync(join(answers.dir, path), 'utf8');
    expect(read('src/static-site.handler.ts')).toContain(
      "@CustomResource({ group: 'web.acme.io', version: 'v1beta1', plural: 'staticsites', kind: 'StaticSite' })",
    );
    expect(read('src/main.ts')).toContain("import { StaticSiteHandler } from './static-site.handler.js';");
    const pkg = JSON.parse(read('package.json'));
    expect(pkg).toMatchObject({ name: 'sites', type: 'module', engines: { node: '>=22.19.0' } });
    expect(Object.keys(pkg.scripts)).toEqual(['build', 'start', 'local', 'test', 'manifests']);
    expect(pkg.scripts.build).toContain('kubeop crd --out dist/crds');
    expect(pkg.devDependencies['@kubeop/cli']).toBe('^0.1.0');
    expect(JSON.parse(read('tsconfig.json')).compilerOptions).toMatchObject({
      module: 'nodenext',
      moduleResolution: 'nodenext',
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
    });
    expect(read('Dockerfile')).toContain('ENTRYPOINT ["node", "dist/main.js"]');
    expect(read('Dockerfile')).toContain('ENV NODE_OPTIONS="--max-semi-space-size=1 --v8-pool-size=1"');
  });

  it('has the tsconfig the README documents', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## Use it in your project'));
    const documented = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(JSON.parse(documented!)).toEqual(JSON.parse(tsconfig()));
  });

  it('gives a plural that would shadow a name of the test a neutral variable', () => {
    const files = projectFiles({
      dir: '/x',
      name: 'x',
      group: 'a.io',
      version: 'v1',
      kind: 'Object',
      plural: 'objects',
    });
    expect(files['test/object.int.test.ts']).toContain(
      'const items = objects(plane.kubeConfig, ObjectHandler, namespace);',
    );
  });
});

describe('the command line', () => {
  it('writes a project with --yes and says what comes next', () => {
    const run = cli(['fresh', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Wrote a kubeop operator for Widget (widgets.example.com/v1alpha1) in fresh');
    expect(run.stdout).toContain('npm test');
  });

  it('reads piped answers, one a line', () => {
    const run = cli([], 'piped\nacme.io\nv2\nGadget\n\n');
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'piped', 'package.json'), 'utf8')).name).toBe('piped');
    expect(readFileSync(join(work, 'piped', 'src', 'gadget.handler.ts'), 'utf8')).toContain("plural: 'gadgets'");
  });

  it('refuses a folder that is not empty before asking anything else, with exit code 2', () => {
    mkdirSync(join(work, 'taken'));
    writeFileSync(join(work, 'taken', 'notes.txt'), '');
    const notEmpty = cli(['taken', '--kind', 'Widget']);
    expect(notEmpty.status).toBe(2);
    expect(notEmpty.stderr).toContain(
      `create-kubeop: ${join(work, 'taken')} is not empty (notes.txt): choose a new folder`,
    );
    expect(notEmpty.stdout).toBe('');
  });

  it('fails clearly when input ends before every answer, or a flag is invalid', () => {
    const ended = cli(['ended']);
    expect(ended.status).toBe(2);
    expect(ended.stderr).toContain('no answer for group (input ended): pass --group or --yes');
    const badKind = cli(['bad', '--kind', 'my-kind', '--yes']);
    expect(badKind.status).toBe(2);
    expect(badKind.stderr).toContain('kind "my-kind" must be CamelCase');
    const noVersion = cli(['bad', '--version']);
    expect(noVersion.stderr).toContain('--version takes the API version, such as v1alpha1');
  });
});
