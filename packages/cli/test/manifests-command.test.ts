// `kubeop manifests` as users run it: the compiled CLI over a sample's compiled entry script or handler module (needs
// npm run build).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const NOT_HANDLERS = fileURLToPath(new URL('../dist/errors.js', import.meta.url));
const SITE = fileURLToPath(new URL('../../../samples/static-site/dist/static-site.handler.js', import.meta.url));
const SITE_MAIN = fileURLToPath(new URL('../../../samples/static-site/dist/main.js', import.meta.url));
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [CLI, ...args]).catch(
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('kubeop manifests', () => {
  it('prints the manifests of the handler classes a compiled module exports', async () => {
    const result = await run(['manifests', SITE, '--image', 'example.com/site:1', '--name', 'site-operator']);
    expect('code' in result ? result.code : 0).toBe(0);
    const documents = parseAllDocuments(result.stdout).map(
      (doc) => doc.toJS() as { kind: string; rules?: Array<{ resources: string[] }> },
    );
    expect(documents.map((doc) => doc.kind)).toEqual([
      'Namespace',
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Deployment',
    ]);
    const resources = documents.find((doc) => doc.kind === 'ClusterRole')!.rules!.flatMap((rule) => rule.resources);
    expect(resources).toEqual([
      'staticsites',
      'staticsites/status',
      'staticsites/finalizers',
      'services',
      'deployments',
      'events',
    ]);
  });

  it('loads an entry script that calls bootstrap() for its handler classes, without running the operator', async () => {
    const result = await run(['manifests', SITE_MAIN, '--image', 'example.com/site:1', '--name', 'site-operator']);
    expect(result).not.toHaveProperty('code');
    expect(result.stderr).not.toContain('Unknown arguments');
    const documents = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as { kind: string });
    expect(documents).toContainEqual(
      expect.objectContaining({
        kind: 'CustomResourceDefinition',
        metadata: expect.objectContaining({ name: 'staticsites.samples.kubeop.dev' }),
      }),
    );
    // The same manifests as from the module exporting the class.
    const fromModule = await run(['manifests', SITE, '--image', 'example.com/site:1', '--name', 'site-operator']);
    expect(result.stdout).toBe(fromModule.stdout);
  });

  it('writes one YAML file with --out <file>.yaml, and leaves the Namespace out with --no-create-namespace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeop-manifests-'));
    dirs.push(dir);
    const file = join(dir, 'deploy', 'install.yaml');
    const args = ['manifests', SITE, '--image', 'x', '--name', 'site-operator', '--out', file];
    const result = await run(args);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote 8 manifests to ${file}`);
    const kinds = (text: string) => parseAllDocuments(text).map((doc) => (doc.toJS() as { kind: string }).kind);
    expect(kinds(await readFile(file, 'utf8'))).toEqual([
      'Namespace',
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Deployment',
    ]);
    await run([...args, '--no-create-namespace']);
    expect(kinds(await readFile(file, 'utf8'))[0]).toBe('CustomResourceDefinition');
  });

  it('writes one file per object and a kustomization.yaml listing them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeop-manifests-'));
    dirs.push(dir);
    const result = await run([
      'manifests',
      SITE,
      '--image',
      'example.com/site:1',
      '--name',
      'site-operator',
      '--namespace',
      'web',
      '--out',
      dir,
    ]);
    expect(result.stderr).toContain(`to ${dir}`);
    const kustomization = await readFile(join(dir, 'kustomization.yaml'), 'utf8');
    const files = (await readdir(dir)).filter((file) => file !== 'kustomization.yaml').sort();
    expect(files).toContain('role-site-operator.yaml');
    for (const file of files) expect(kustomization).toContain(`- ${file}`);
  });

  it('adds the rules given for what the handlers do themselves, and refuses a wildcard', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeop-rules-'));
    dirs.push(dir);
    await writeFile(join(dir, 'rules.yaml'), '- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get]\n');
    const result = await run([
      'manifests',
      SITE,
      '--image',
      'x',
      '--name',
      'site-operator',
      '--rules',
      join(dir, 'rules.yaml'),
    ]);
    const role = parseAllDocuments(result.stdout)
      .map((doc) => doc.toJS() as { kind: string; rules?: Array<{ resources: string[]; verbs: string[] }> })
      .find((doc) => doc.kind === 'ClusterRole')!;
    expect(role.rules!.at(-1)).toEqual({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] });

    await writeFile(join(dir, 'wild.yaml'), '- apiGroups: [""]\n  resources: ["*"]\n  verbs: [get]\n');
    const wild = await run([
      'manifests',
      SITE,
      '--image',
      'x',
      '--name',
      'site-operator',
      '--rules',
      join(dir, 'wild.yaml'),
    ]);
    expect(wild).toMatchObject({ code: 2, stderr: expect.stringContaining("rule 1 has '*' in resources") });
  });

  it('adds the PodMonitor, dashboard and alerts with --monitoring, and writes them as files with --*-out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeop-monitoring-'));
    dirs.push(dir);
    const base = ['manifests', SITE, '--image', 'x', '--name', 'site-operator'];
    const result = await run([
      ...base,
      '--monitoring',
      '--monitoring-label',
      'release=kube-prometheus-stack',
      '--dashboard-out',
      join(dir, 'dashboard.json'),
      '--alerts-out',
      join(dir, 'alerts', 'rules.yaml'),
    ]);
    const documents = parseAllDocuments(result.stdout).map(
      (doc) => doc.toJS() as { kind: string; metadata: { labels?: Record<string, string> } },
    );
    const added = documents.slice(-3);
    expect(added.map((doc) => doc.kind)).toEqual(['PodMonitor', 'ConfigMap', 'PrometheusRule']);
    for (const doc of added) expect(doc.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    const dashboard = JSON.parse(await readFile(join(dir, 'dashboard.json'), 'utf8')) as { uid: string };
    expect(dashboard.uid).toBe('kubeop-site-operator');
    const rules = parse(await readFile(join(dir, 'alerts', 'rules.yaml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string }> }>;
    };
    expect(rules.groups[0]!.rules.map((r) => r.alert)).toContain('KubeopNoLeader');
    expect(result.stderr).toContain(`wrote the dashboard to ${join(dir, 'dashboard.json')}`);

    const dashboardOnly = await run([...base, '--dashboard']);
    expect(
      parseAllDocuments(dashboardOnly.stdout)
        .map((doc) => (doc.toJS() as { kind: string }).kind)
        .at(-1),
    ).toBe('ConfigMap');
    const badLabel = await run([...base, '--alerts', '--monitoring-label', 'release']);
    expect(badLabel).toMatchObject({ code: 2, stderr: expect.stringContaining('--monitoring-label "release"') });
    const labelOnNothing = await run([...base, '--monitoring-label', 'release=kps']);
    expect(labelOnNothing).toMatchObject({ code: 2, stderr: expect.stringContaining('add --monitoring') });
  });

  it('names the flag when the input is wrong, and the module when it has no handler class', async () => {
    const badName = await run(['manifests', SITE, '--image', 'x', '--name', 'Site_Operator']);
    expect(badName).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--name "Site_Operator" is not a DNS label'),
    });
    const noHandlers = await run(['manifests', NOT_HANDLERS, '--image', 'x', '--name', 'op']);
    expect(noHandlers).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`no handler class in ${NOT_HANDLERS}: give the compiled entry script`),
    });
  });
});
