// Status writes that cannot succeed are told apart from handler failures: a status pruned by the schema,
// a CRD without the status subresource, and a resource not served yet (retried, as after an API server restart).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { crdManifest, describeHandlerClass } from '@kubeop/core/tooling';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { StatusWriter } from '../src/internal/run/status-writer.js';
import { KubeClient } from '../src/kube/client.js';
import { ensureCrd } from '../src/crd/crd.js';
import { objectPath } from '../src/kube/resource.js';
import { installCrd, objects, parseLogs, runOperator, stopAllOperators, eventOn } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const calls = new Map<string, number>();
const count = (name: string) => calls.get(name) ?? 0;

async function handle(handler: ResourceHandler, o: CustomObject): Promise<void> {
  calls.set(o.metadata.name, count(o.metadata.name) + 1);
  await handler.setStatus({ state: 'done', phase: 'Ready', extra: { note: 1 } });
}

const prunedResource = { ...testResource, plural: 'prunedwidgets', singular: 'prunedwidget', kind: 'PrunedWidget' };
@CustomResource({
  ...prunedResource,
  schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      // No `state`, no `extra`: the server prunes them from every write.
      status: { type: 'object', properties: { phase: { type: 'string' } } },
    },
  },
})
class Pruned extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    await handle(this, o);
  }
}

const bareResource = { ...testResource, plural: 'barewidgets', singular: 'barewidget', kind: 'BareWidget' };
@CustomResource(bareResource)
class Bare extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    await handle(this, o);
  }
}

let env: TestEnvironment;
let client: KubeClient;
beforeAll(async () => {
  env = await testEnvironment();
  client = new KubeClient(env.kubeConfig);
  await installCrd(env.kubeConfig, Pruned);
  // A CRD without the status subresource, as hand-written CRDs often are.
  const manifest = crdManifest(describeHandlerClass(Bare).resource) as {
    spec: { versions: Array<Record<string, unknown>> };
  };
  delete manifest.spec.versions[0]!.subresources;
  // 409: left by an earlier run against the same cluster (KUBEOP_TEST_KUBECONFIG).
  await client
    .request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: manifest })
    .catch((error: unknown) => {
      if ((error as { status?: number }).status !== 409) throw error;
    });
  await ensureCrd(client, describeHandlerClass(Bare).resource);
});
afterEach(() => stopAllOperators());
afterAll(() => client.close());

describe('a status the CRD schema prunes', () => {
  it('is reported once per field, as an error for status.state, naming the fix', async () => {
    const running = await runOperator([Pruned], { kubeconfigPath: env.kubeconfigPath, namespace: env.namespace });
    const items = objects(env.kubeConfig, prunedResource, env.namespace);
    await items.create('pruned-1');
    await items.create('pruned-2');
    await eventually(async () => (await items.get('pruned-2'))?.status?.phase === 'Ready', 'the second object handled');
    const reports = () => parseLogs(running.logs).filter((l) => String(l.message).includes('dropped status.'));
    await eventually(() => reports().length >= 2, 'the reports');
    const byField = new Map(reports().map((l) => [l.field, l]));
    expect(reports()).toHaveLength(2);
    expect(byField.get('status.state')).toMatchObject({ level: 'error' });
    expect(String(byField.get('status.state')!.message)).toMatch(
      /every restart handles every object again.*x-kubernetes-preserve-unknown-fields/,
    );
    expect(byField.get('status.extra')).toMatchObject({ level: 'warn' });
    // Pruning is not a failure: each object was handled once.
    expect([count('pruned-1'), count('pruned-2')]).toEqual([1, 1]);
  });
});

describe('a CRD without the status subresource', () => {
  it('is reported as exactly that, with the fix, at start and on the first write, and the handler is not re-run', async () => {
    const running = await runOperator([Bare], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--retry-delay', '0.1'],
    });
    const reports = () =>
      parseLogs(running.logs).filter(
        (l) => l.level === 'error' && String(l.message).includes('has no status subresource'),
      );
    // Read from the CRD at start, before any object was handled.
    expect(reports()).toHaveLength(1);
    expect(String(reports()[0]!.message)).toContain(`barewidgets.${testResource.group} has no status subresource`);
    expect(String(reports()[0]!.message)).toContain('subresources: { status: {} }');

    const items = objects(env.kubeConfig, bareResource, env.namespace);
    await items.create('bare');
    const event = await eventOn(env.kubeConfig, env.namespace, 'bare', 'StatusNotWritten');
    expect(event.message).toContain('has no status subresource');
    // A retry would come 100 ms after the failure; give it twenty times that to show up, and it must not.
    await expect(eventually(() => count('bare') > 1, 'a second run', 2_000)).rejects.toThrow('timed out');
    expect(count('bare')).toBe(1);
  });
});

describe('a status write while the resource is not served', () => {
  it('is retried until the resource is served again, not failed as "not found"', async () => {
    // An API server that just restarted answers 404 for a custom resource until its CRD is loaded again;
    // a version taken out of service answers the same way, while its objects stay in storage.
    const late = {
      ...testResource,
      group: 'late.kubeop.dev',
      plural: 'latewidgets',
      singular: 'latewidget',
      kind: 'LateWidget',
    };
    const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${late.plural}.${late.group}`;
    await installCrd(env.kubeConfig, late);
    await objects(env.kubeConfig, late, env.namespace).create('early');
    const setServed = (served: boolean) =>
      client.request('PATCH', crdPath, {
        body: [{ op: 'replace', path: '/spec/versions/0/served', value: served }],
        contentType: 'application/json-patch+json',
      });
    const path = objectPath({ ...late, scope: 'Namespaced' }, 'early', env.namespace);
    await setServed(false);
    await eventually(async () => {
      try {
        await client.request('GET', path);
        return false;
      } catch (error) {
        return (error as { isPathNotFound?: boolean }).isPathNotFound === true;
      }
    }, 'the resource to be out of service');

    // The client as the writer sees it, counting the 404s its status patches get.
    let notServed = 0;
    const counting = Object.create(client) as KubeClient;
    counting.request = (async (...args: Parameters<KubeClient['request']>) => {
      try {
        return await client.request(...args);
      } catch (error) {
        if (args[0] === 'PATCH' && (error as { isPathNotFound?: boolean }).isPathNotFound) notServed++;
        throw error;
      }
    }) as KubeClient['request'];
    const writer = new StatusWriter(counting, {
      objectPath: path,
      resource: `${late.plural}.${late.group}`,
      objectKey: `${env.namespace}/early`,
      initial: undefined,
    });
    let settled: string | undefined;
    const write = writer.write({ state: 'done' }).then(
      () => (settled = 'written'),
      (error: unknown) => (settled = `failed: ${(error as Error).message}`),
    );
    await eventually(() => notServed >= 2, 'the write to get "not found" twice');
    expect(settled).toBeUndefined();
    await setServed(true);
    await write;
    expect(settled).toBe('written');
    expect((await objects(env.kubeConfig, late, env.namespace).get('early'))?.status).toEqual({ state: 'done' });
  });
});
