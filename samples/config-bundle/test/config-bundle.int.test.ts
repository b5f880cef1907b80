// The ConfigBundle operator, run as users run it (its compiled main.js), keeps its ConfigMap in step, repairs it,
// and leaves its deletion to the garbage collector (the shared control plane runs kube-controller-manager).
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { killOperatorProcesses, type OperatorProcess, spawnOperator } from '@kubeop/testing/operator';

/** The garbage collector re-reads discovery every 30 s: an owner whose CRD is that new waits for it (measured: up to 41 s). */
const GC_DEADLINE_MS = 90_000;

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const resource = { group: 'samples.kubeop.dev', version: 'v1', plural: 'configbundles' };

let env: TestEnvironment;
let operator: OperatorProcess;
const output = () => operator.output();
beforeAll(async () => {
  env = await testEnvironment();
  operator = spawnOperator(MAIN, {
    args: ['--create-crd', '--namespace', env.namespace, '--managed-by', 'sample-test'],
    env: { KUBECONFIG: env.kubeconfigPath },
  });
  await operator.waitForOutput(/watching configbundles\.samples\.kubeop\.dev/, 60_000);
});
afterAll(() => killOperatorProcesses());

async function configMap(core: CoreV1Api, name: string): Promise<V1ConfigMap | undefined> {
  try {
    return await core.readNamespacedConfigMap({ name, namespace: env.namespace });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

describe('ConfigBundle', () => {
  it('creates an owned ConfigMap, keeps it in step with the spec, repairs it, reports in status, and is cleaned up', async () => {
    const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    const created = (await custom.createNamespacedCustomObject({
      ...resource,
      namespace: env.namespace,
      body: {
        apiVersion: 'samples.kubeop.dev/v1',
        kind: 'ConfigBundle',
        metadata: { name: 'app' },
        spec: { data: { A: '1', B: '2' } },
      },
    })) as { metadata: { uid: string } };

    const first = await eventually(() => configMap(core, 'app'), 'the ConfigMap');
    expect(first.data).toEqual({ A: '1', B: '2' });
    expect(first.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'sample-test' });
    expect(first.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ConfigBundle', name: 'app', uid: created.metadata.uid, controller: true }),
    ]);
    const get = () =>
      custom.getNamespacedCustomObject({ ...resource, namespace: env.namespace, name: 'app' }) as Promise<{
        status?: unknown;
      }>;
    await eventually(
      async () =>
        isDeepStrictEqual((await get()).status, { state: 'ready', configMap: 'app', keys: 2, observedGeneration: 1 }),
      'status for generation 1',
    );

    await custom.patchNamespacedCustomObject(
      { ...resource, namespace: env.namespace, name: 'app', body: { spec: { data: { A: '1', C: '3', D: '4' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(
      async () => isDeepStrictEqual((await configMap(core, 'app'))?.data, { A: '1', B: '2', C: '3', D: '4' }),
      'the ConfigMap to follow the spec',
    );
    await eventually(
      async () => ((await get()).status as { observedGeneration?: number })?.observedGeneration === 2,
      'status for generation 2',
    );
    expect((await get()).status).toEqual({ state: 'ready', configMap: 'app', keys: 4, observedGeneration: 2 });

    // Deleted by hand: applied again, as a new object.
    const before = (await configMap(core, 'app'))!;
    await core.deleteNamespacedConfigMap({ name: 'app', namespace: env.namespace });
    const restored = await eventually(async () => {
      const now = await configMap(core, 'app');
      return now && now.metadata?.uid !== before.metadata?.uid ? now : undefined;
    }, 'the ConfigMap to be restored');
    expect(restored.data).toEqual({ A: '1', B: '2', C: '3', D: '4' });
    // The reason names the child; the log line may trail the ConfigMap by a moment.
    await eventually(() => output().includes('(ConfigMap app deleted)'), 'the run naming the deleted ConfigMap');

    // Edited by hand: our fields are applied again; a field we do not manage stays.
    await core.patchNamespacedConfigMap(
      {
        name: 'app',
        namespace: env.namespace,
        body: { data: { A: 'changed' }, metadata: { annotations: { note: 'kept' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(async () => (await configMap(core, 'app'))?.data?.A === '1', 'the edit to be undone');
    expect((await configMap(core, 'app'))?.metadata?.annotations).toEqual({ note: 'kept' });

    await custom.deleteNamespacedCustomObject({ ...resource, namespace: env.namespace, name: 'app' });
    await eventually(
      async () => (await configMap(core, 'app')) === undefined,
      'the garbage collector to delete the ConfigMap',
      GC_DEADLINE_MS,
    );
    await eventually(async () => !(await get().catch(() => undefined)), 'the ConfigBundle to be gone');
  });

  it('runs on the CRD its build generated (dist/crds beside main.js), which --create-crd installed: validated and defaulted by the server', async () => {
    expect(output()).not.toContain('no generated CRD');
    const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
    const create = (name: string, spec: unknown) =>
      custom.createNamespacedCustomObject({
        ...resource,
        namespace: env.namespace,
        body: { apiVersion: 'samples.kubeop.dev/v1', kind: 'ConfigBundle', metadata: { name }, spec },
      });
    const refused = await create('bad-key', { data: { 'no spaces': 'x' } }).then(
      () => undefined,
      (error: { body?: string }) => error.body ?? String(error),
    );
    expect(refused).toContain("keys may hold letters, digits, '-', '_' and '.' only");
    const empty = (await create('empty', {})) as { spec: unknown };
    expect(empty.spec).toEqual({ data: {} });
    await eventually(
      async () => (await configMap(env.kubeConfig.makeApiClient(CoreV1Api), 'empty'))?.metadata?.name === 'empty',
      'the empty ConfigMap',
    );
  });
});
