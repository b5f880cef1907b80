// --dry-run on the real control plane: handlers run and every write is validated by the API server, yet nothing is
// stored (status, child, Event, finalizer, annotations, CRD, webhook configuration, Secret), the Lease aside.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted, OnValidate } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { configurationName } from '@kubeop/core/tooling';
import { eventually } from '@kubeop/testing';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { objects, operatorSuite, parseLogs, runOperator } from './support/operator.js';
import { rawRequest } from './support/raw-request.js';
import { testResource } from './support/test-resource.js';

/** Each run: the object's name and what `this.dryRun` said. */
const runs: Array<{ name: string; dryRun: boolean }> = [];
const runsOf = (name: string) => runs.filter((r) => r.name === name).length;

@CustomResource(testResource)
class Provisioner extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    const { name, namespace } = o.metadata as { name: string; namespace: string };
    runs.push({ name, dryRun: this.dryRun });
    // The first run of `flaky` fails: a Warning Event and the owed-run annotation, both dry runs too.
    if (name === 'flaky' && runsOf(name) === 1) throw new Error('the first run fails');
    this.status = { state: 'ready' };
    await this.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-child` }, data: { a: '1' } });
    await this.client.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.provisioned`, namespace },
      involvedObject: { apiVersion: o.apiVersion, kind: o.kind, name, namespace, uid: o.metadata.uid },
      reason: 'Provisioned',
      message: `${name} provisioned`,
      type: 'Normal',
    });
    const { group, version, plural } = testResource;
    await this.crdApi.patchNamespacedCustomObject(
      { group, version, plural, namespace, name, body: { metadata: { labels: { touched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
  @OnDeleted() async removed() {}
}

const gadgets = { group: 'dryrun.it.kubeop.dev', version: 'v1', plural: 'gadgets', kind: 'Gadget' } as const;

@CustomResource(gadgets)
class Gadgets {
  @OnValidate() check(): void {}
}

const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [Provisioner, Gadgets] });

describe('an operator with --dry-run', () => {
  it('runs its handlers, which know it, and the API server validates every write but stores none', async () => {
    const ns = env.namespace;
    const running = await runOperator(Provisioner, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: ns,
      argv: [
        '--dry-run',
        '--retry-delay',
        '0.1',
        '--leader-elect',
        '--leader-election-namespace',
        ns,
        '--leader-election-id',
        'dry-run-lease',
        '--metrics-bind-address',
        '127.0.0.1:0',
      ],
    });
    const items = objects(env.kubeConfig, testResource, ns);
    const before = new Map<string, string>();
    for (const name of ['plain', 'flaky']) before.set(name, (await items.create(name)).metadata.resourceVersion!);
    const widget = (name: string) => `/apis/${testResource.group}/v1/namespaces/${ns}/widgets/${name}`;
    const dryRunLines = () =>
      parseLogs(running.logs)
        .filter((l) => l.dryRun === true)
        .map((l) => String(l.message));
    const expected = [
      ...['plain', 'flaky'].flatMap((name) => [
        `dry run: would PATCH ${widget(name)} {"metadata":{"finalizers":["${testResource.group}/finalizer"]`,
        `dry run: would PATCH ${widget(name)}/status {"status":{"state":"ready"}}`,
        `dry run: would PATCH /api/v1/namespaces/${ns}/configmaps/${name}-child {`,
        `dry run: would POST /api/v1/namespaces/${ns}/events {"apiVersion":"v1","kind":"Event","metadata":{"name":"${name}.provisioned"`,
        // this.crdApi's write, through client-node.
        `dry run: would PATCH ${widget(name)} {"metadata":{"labels":{"touched":"yes"}}}`,
      ]),
      `dry run: would PATCH ${widget('flaky')} {"metadata":{"annotations":{"kubeop.dev/owed-run":"added"}}}`,
    ];
    const missing = () => expected.filter((line) => !dryRunLines().some((m) => m.startsWith(line)));
    await eventually(() => missing().length === 0, 'every write logged as a dry run', 60_000).catch(
      (error: unknown) => {
        throw new Error(`${(error as Error).message}; not logged: ${missing().join('\n')}`);
      },
    );
    // The Warning Event of flaky's failed run, recorded by kubeop.
    await eventually(
      () =>
        dryRunLines().some(
          (m) =>
            m.startsWith(`dry run: would POST /api/v1/namespaces/${ns}/events {`) && m.includes('"type":"Warning"'),
        ),
      'the Warning Event of the failed run',
    );

    // Every object as it was: resourceVersion, no status, finalizer, annotation or label.
    for (const [name, resourceVersion] of before) {
      const stored = (await items.get(name))!;
      expect(stored.metadata.resourceVersion).toBe(resourceVersion);
      expect(stored.status).toBeUndefined();
      expect(stored.metadata.finalizers ?? []).toEqual([]);
      expect(stored.metadata.annotations ?? {}).toEqual({});
      expect(stored.metadata.labels ?? {}).toEqual({});
    }
    // No child, no Event (the handler's nor the Warning of the failed run).
    for (const name of ['plain', 'flaky'])
      expect(
        (await rawRequest(env.kubeConfig, 'GET', `/api/v1/namespaces/${ns}/configmaps/${name}-child`)).status,
      ).toBe(404);
    const events = await rawRequest(env.kubeConfig, 'GET', `/api/v1/namespaces/${ns}/events`);
    expect(events.body.items).toEqual([]);
    // The Lease alone is written: without it two dry-run replicas would both lead.
    expect(
      (await rawRequest(env.kubeConfig, 'GET', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/dry-run-lease`))
        .status,
    ).toBe(200);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((r) => r.dryRun)).toBe(true);

    expect(running.logText()).toContain('dry run: every write is sent with dryRun=All');
    expect(parseLogs(running.logs).filter((l) => l.dryRun === true && l.level !== 'info')).toEqual([]);

    // No loop on writes that never land: a later object is handled, and the first two were run no more.
    await items.create('later');
    await eventually(
      () => dryRunLines().some((m) => m.startsWith(`dry run: would PATCH ${widget('later')}/status`)),
      'the later object',
    );
    expect([runsOf('plain'), runsOf('flaky')]).toEqual([1, 2]);

    const address = /serving metrics on (http:\/\/[^\s"]+)/.exec(running.logText())![1]!;
    const metrics = await (await fetch(address)).text();
    expect(metrics).toMatch(/^kubeop_dry_run 1$/m);
    expect(metrics).toMatch(/^kubeop_dry_run_writes_total\{verb="PATCH"\} \d+$/m);
  });

  it('stops the start when --create-crd would create a CRD, which a dry run cannot', async () => {
    const missing = { group: 'missing.dryrun.it.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' } as const;
    @CustomResource(missing)
    class Things {
      @OnAdded() added(): void {}
    }
    const started = runOperator(Things, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--dry-run', '--create-crd'],
    });
    await expect(started).rejects.toMatchObject({
      code: 'RESOURCE_NOT_SERVED',
      resource: 'things.missing.dryrun.it.kubeop.dev',
    });
    await expect(started).rejects.toThrow(
      /--dry-run: CustomResourceDefinition things\.missing\.dryrun\.it\.kubeop\.dev does not exist/,
    );
    const crd = await rawRequest(
      env.kubeConfig,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.missing.dryrun.it.kubeop.dev',
    );
    expect(crd.status).toBe(404);
  });

  it('registers no webhook configuration and stores no certificate Secret', async () => {
    const ns = env.namespace;
    const name = `dry-wh-${ns}`;
    const started = await runOperator(Gadgets, {
      kubeconfigPath: env.kubeconfigPath,
      namespace: ns,
      name,
      argv: ['--dry-run', '--operator-namespace', ns],
    });
    const configurations = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
    await eventually(
      () => started.logText().includes(`dry run: would PATCH ${configurations}/${configurationName(name)} {`),
      'the webhook configuration written as a dry run',
    );
    expect(started.logText()).toContain(`dry run: would POST /api/v1/namespaces/${ns}/secrets {`);
    // The lines after each write say what a dry run did, not what a real run would have done.
    const validation = `dry run: ValidatingWebhookConfiguration ${configurationName(name)} validated, not applied`;
    await eventually(() => started.logText().includes(validation), 'the configuration reported as not applied');
    const messages = parseLogs(started.logs).map((l) => String(l.message));
    expect(messages).toContain('Webhook certificates issued in memory only (dry run: the Secret is not stored)');
    expect(messages.filter((m) => /^applied |^Webhook certificates issued$/.test(m))).toEqual([]);
    // The Secret's keys reach the log, its values (base64 of -----BEGIN ...) do not.
    const secretLine = parseLogs(started.logs)
      .map((l) => String(l.message))
      .find((m) => m.startsWith(`dry run: would POST /api/v1/namespaces/${ns}/secrets {`))!;
    expect(secretLine).toContain(
      '"data":{"ca.crt":"<redacted>","ca.key":"<redacted>","tls.crt":"<redacted>","tls.key":"<redacted>"}',
    );
    expect(secretLine).not.toContain('LS0tLS1CRUdJTi');
    expect((await rawRequest(env.kubeConfig, 'GET', `${configurations}/${configurationName(name)}`)).status).toBe(404);
    expect(
      (await rawRequest(env.kubeConfig, 'GET', `/api/v1/namespaces/${ns}/secrets/${name}-webhook-tls`)).status,
    ).toBe(404);
  });
});
