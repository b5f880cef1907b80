// `npm start`: runs the TestObject operator against KUBECONFIG's cluster, or on a local control plane it starts,
// applies the example object, changes it once, and prints the status the handlers write, until Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { type ControlPlane, eventually, startControlPlane } from '@kubeop/testing';

const here = dirname(fileURLToPath(import.meta.url));
const exitWhenDone = process.argv.includes('--exit-when-done');
const group = 'example.kubeop.dev';
const version = 'v1alpha1';
const plural = 'testobjects';

interface TestObject {
  metadata: { name: string; namespace: string; generation?: number };
  spec?: { message?: string };
  status?: { state?: string };
}

const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  let controlPlane: ControlPlane | undefined;
  let kubeconfigPath = process.env.KUBECONFIG;
  if (kubeconfigPath) {
    say(`using the cluster of KUBECONFIG=${kubeconfigPath}`);
  } else {
    say('KUBECONFIG is not set: starting a local control plane (etcd + kube-apiserver; built with Go on first use)');
    controlPlane = await startControlPlane();
    kubeconfigPath = controlPlane.kubeconfigPath;
    say(`control plane ready at ${controlPlane.server} (logs: ${controlPlane.logDir})`);
  }
  let kubeConfig = controlPlane?.kubeConfig;
  if (!kubeConfig) {
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
  }

  const operator = spawn(
    process.execPath,
    [
      // What the Dockerfile and the Deployment of `kubeop manifests` set: V8's young generation capped, one V8 worker
      // thread (README, "Performance").
      '--max-semi-space-size=1',
      '--v8-pool-size=1',
      join(here, 'main.js'),
      '--create-crd',
      // On the local control plane, webhooks (if a class has any) are registered to be called on loopback.
      ...(controlPlane ? ['--kubeconfig', kubeconfigPath, '--install-webhooks'] : []),
      '--my-argument',
      'from npm start',
      ...process.argv.slice(2).filter((a) => a !== '--exit-when-done'),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stopOperator(operator);
    await controlPlane?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  operator.on('exit', (code) => {
    if (!stopping) {
      say(`the operator exited with code ${code}`);
      void shutdown(code ?? 1);
    }
  });

  await waitForCrd(kubeConfig, `${plural}.${group}`);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const example = loadYaml<TestObject>(readFileSync(join(here, '..', 'deploy', 'example.yaml'), 'utf8'));
  const { name, namespace } = example.metadata;
  await api.deleteNamespacedCustomObject({ group, version, namespace, plural, name }).catch(() => undefined);
  await eventually(async () => !(await read(api, namespace, name)), 'the old example object to go');
  await api.createNamespacedCustomObject({ group, version, namespace, plural, body: example });
  say(`applied ${plural}/${name} in ${namespace}: spec ${JSON.stringify(example.spec)}`);

  const created = await eventually(
    async () => {
      const object = await read(api, namespace, name);
      return object?.status?.state === 'created' ? object : undefined;
    },
    'the @OnAdded handler to write status',
    60_000,
  );
  say(`status written by @OnAdded: ${JSON.stringify(created.status)} (${Date.now() - started} ms after start)`);

  await api.patchNamespacedCustomObject(
    { group, version, namespace, plural, name, body: { spec: { message: 'changed by the demo' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  say('changed spec.message');
  const modified = await eventually(
    async () => {
      const object = await read(api, namespace, name);
      return object?.status?.state === 'modified' ? object : undefined;
    },
    'the @OnModified handler to write status',
    60_000,
  );
  say(`status written by @OnModified: ${JSON.stringify(modified.status)}`);

  if (exitWhenDone) return shutdown(0);
  say(`done. Try: KUBECONFIG=${kubeconfigPath} kubectl get testobjects -A -o yaml   (Ctrl-C to stop)`);
}

async function read(api: CustomObjectsApi, namespace: string, name: string): Promise<TestObject | undefined> {
  try {
    return (await api.getNamespacedCustomObject({ group, version, namespace, plural, name })) as TestObject;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

async function waitForCrd(kubeConfig: KubeConfig, crdName: string): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  await eventually(
    async () => {
      const crd = await api.readCustomResourceDefinition({ name: crdName }).catch(() => undefined);
      return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    `the operator to create CustomResourceDefinition ${crdName}`,
    60_000,
  );
}

function stopOperator(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`[demo] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
