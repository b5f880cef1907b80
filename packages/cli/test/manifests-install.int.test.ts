// The documented path of a new project onto a fresh cluster: `npm run manifests` in a project create-kubeop wrote gives
// an install.yaml that parses as YAML, and applying it in order on the real control plane succeeds, namespace first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type KubeObject, ObjectClient } from '@kubeop/core';
import { KubeClient } from '@kubeop/core/tooling';
import { testEnvironment } from '@kubeop/testing';
import { parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CREATE = join(ROOT, 'packages/create-kubeop/dist/cli.js');
const suffix = randomBytes(3).toString('hex');
/** Cluster-scoped objects (CRD, ClusterRole) and the namespace are shared by the run: all of this test's own. */
const name = `install-${suffix}`;
const group = `t${suffix}.install.kubeop.dev`;
const work = mkdtempSync(join(tmpdir(), 'kubeop-install-'));
const project = join(work, name);

let admin: KubeClient;
let applied: KubeObject[] = [];
beforeAll(async () => {
  admin = new KubeClient((await testEnvironment()).kubeConfig);
});
afterAll(async () => {
  // Cluster-scoped objects by hand; the namespace controller empties the namespace.
  const client = new ObjectClient(admin);
  for (const { apiVersion, kind, metadata } of applied.filter((o) => !o.metadata.namespace).reverse())
    await client.delete({ apiVersion, kind, name: metadata.name }).catch(() => undefined);
  await admin.close();
  rmSync(work, { recursive: true, force: true });
});

/** A user's shell: Node 24 first on PATH, nothing of the npm script running jest. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$)/i.test(key)));
  return { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
}

async function run(command: string, args: string[], cwd: string): Promise<void> {
  const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`);
}

describe('npm run manifests of a new project', () => {
  it('writes YAML that applies in order to a cluster where its namespace does not exist', async () => {
    await run(process.execPath, [CREATE, name, '--group', group, '--kind', 'Gadget', '--yes'], work);
    // The monorepo's node_modules stands in for npm install: the same packages, built.
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
    await run('npm', ['run', 'manifests'], project);

    const documents = parseAllDocuments(readFileSync(join(project, 'install.yaml'), 'utf8'));
    expect(documents.flatMap((doc) => doc.errors)).toEqual([]);
    const objects = documents.map((doc) => doc.toJS() as KubeObject);
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace',
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Deployment',
    ]);
    expect(objects[0]!.metadata.name).toBe(`${name}-system`);

    // kubectl apply --server-side, one object after the other, as the file lists them.
    const client = new ObjectClient(admin, { fieldManager: 'kubectl' });
    for (const object of objects) {
      await client.apply(object);
      applied = [...applied, object];
    }
    const deployment = await client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name,
      namespace: `${name}-system`,
    });
    expect(deployment?.metadata.uid).toBeDefined();
  });
});
