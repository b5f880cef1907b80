// @Owns and this.apply on the real control plane: children repaired with the reason naming them, foreign owners
// ignored, applies idempotent, and children garbage-collected with their owner (kube-controller-manager runs).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { CustomResource, OnReconcile, Owns } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler, type RunReason } from '@kubeop/core';
import { eventually } from '@kubeop/testing';
import { objects, operatorSuite, runOperator } from './support/operator.js';

/** The garbage collector re-reads discovery every 30 s: an owner whose CRD is that new waits for it (measured: up to 41 s). */
const GC_DEADLINE_MS = 90_000;

const parents = { group: 'owned.it.kubeop.dev', version: 'v1', plural: 'parents', kind: 'Parent' } as const;

interface Run {
  name: string;
  reasons: RunReason[];
  childVersion: string | undefined;
}
const runs: Run[] = [];

@CustomResource(parents)
@Owns({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' })
class ParentHandler extends ResourceHandler<{ value?: string }> {
  @OnReconcile()
  async reconcile(parent: CustomObject<{ value?: string }>) {
    // Recorded before the apply: a run that fails (a loaded API server) still shows why it ran.
    const run: Run = { name: parent.metadata.name, reasons: this.reasons, childVersion: undefined };
    runs.push(run);
    const child = await this.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${parent.metadata.name}-child` },
      data: { value: parent.spec?.value ?? '' },
    });
    run.childVersion = child.metadata.resourceVersion;
  }
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [ParentHandler] });
let core: CoreV1Api;
beforeAll(() => {
  core = env.kubeConfig.makeApiClient(CoreV1Api);
});

async function configMap(name: string): Promise<V1ConfigMap | undefined> {
  try {
    return await core.readNamespacedConfigMap({ name, namespace: env.namespace });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

const ownedReason = (name: string, event: string) =>
  runs.find((run) => run.reasons.some((r) => r.type === 'owned-changed' && r.name === name && r.event === event));

describe('@Owns with this.apply', () => {
  it('applies a child with a controller owner reference and repairs it when deleted or edited by hand', async () => {
    const items = objects(env.kubeConfig, parents, env.namespace);
    await runOperator([ParentHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const parent = await items.create('repair', { value: 'v1' });
    const child = await eventually(() => configMap('repair-child'), 'the child');
    expect(child.data).toEqual({ value: 'v1' });
    expect(child.metadata?.ownerReferences).toEqual([
      {
        apiVersion: `${parents.group}/v1`,
        kind: 'Parent',
        name: 'repair',
        uid: parent.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(runs.find((run) => run.name === 'repair')?.reasons).toEqual([{ type: 'added' }]);

    await core.deleteNamespacedConfigMap({ name: 'repair-child', namespace: env.namespace });
    const restored = await eventually(async () => {
      const now = await configMap('repair-child');
      return now && now.metadata?.uid !== child.metadata?.uid ? now : undefined;
    }, 'the deleted child to be restored');
    expect(restored.data).toEqual({ value: 'v1' });
    // The run records its reasons once its apply returned, which may trail the object the test reads.
    const repairRun = await eventually(
      () => ownedReason('repair-child', 'deleted'),
      'the run naming the deleted child',
    );
    expect(repairRun.reasons).toContainEqual({
      type: 'owned-changed',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'repair-child',
      namespace: env.namespace,
      event: 'deleted',
    });

    await core.patchNamespacedConfigMap(
      { name: 'repair-child', namespace: env.namespace, body: { data: { value: 'tampered' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(
      async () => (await configMap('repair-child'))?.data?.value === 'v1',
      'the edited child to be restored',
    );
    await eventually(() => ownedReason('repair-child', 'modified'), 'the run naming the edited child');
  });

  it('applies idempotently: the same content again leaves resourceVersion alone', async () => {
    const items = objects(env.kubeConfig, parents, env.namespace);
    await runOperator([ParentHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await items.create('same', { value: 'x' });
    // The child's own ADDED event runs the reconcile again, which applies the same content once more.
    const again = await eventually(() => {
      const own = runs.filter((run) => run.name === 'same' && run.childVersion !== undefined);
      return own.length >= 2 ? own : undefined;
    }, 'a second run for the same parent');
    expect(again[1]!.reasons).toContainEqual(
      expect.objectContaining({ type: 'owned-changed', name: 'same-child', event: 'added' }),
    );
    expect(again[1]!.childVersion).toBe(again[0]!.childVersion);
    expect((await configMap('same-child'))?.metadata?.resourceVersion).toBe(again[0]!.childVersion);
  });

  it('ignores an object whose controller owner reference points at another kind', async () => {
    const items = objects(env.kubeConfig, parents, env.namespace);
    await runOperator([ParentHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const parent = await items.create('foreign', { value: 'f' });
    await eventually(() => configMap('foreign-child'), 'the child');
    // Same name and uid as the parent, another kind: not ours.
    const foreignRef = {
      apiVersion: `${parents.group}/v1`,
      kind: 'Stranger',
      name: 'foreign',
      uid: parent.metadata.uid,
      controller: true,
    };
    await core.createNamespacedConfigMap({
      namespace: env.namespace,
      body: { metadata: { name: 'stranger-child', ownerReferences: [foreignRef] }, data: { a: '1' } },
    });
    // A change that must arrive after it: an edit of the real child.
    await core.patchNamespacedConfigMap(
      { name: 'foreign-child', namespace: env.namespace, body: { data: { value: 'tampered' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(() => ownedReason('foreign-child', 'modified'), 'the run for the edited child');
    expect(
      runs.flatMap((run) => run.reasons).filter((r) => r.type === 'owned-changed' && r.name === 'stranger-child'),
    ).toEqual([]);
  });

  it('leaves the deletion of children to the garbage collector', async () => {
    const items = objects(env.kubeConfig, parents, env.namespace);
    await runOperator([ParentHandler], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    await items.create('collected', { value: 'c' });
    await eventually(() => configMap('collected-child'), 'the child');
    await items.delete('collected');
    await eventually(
      async () => (await configMap('collected-child')) === undefined,
      'the garbage collector to delete the child',
      GC_DEADLINE_MS,
    );
  });
});
