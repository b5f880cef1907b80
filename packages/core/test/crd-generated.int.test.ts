// --create-crd installs the CRD kubeop crd generated (found by --crd-dir), warns once about an outdated one, and
// --update-crd server-side applies it; without a generated CRD the permissive schema comes with a warning naming where it looked,
// and --update-crd refuses to start instead of loosening the installed schema.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { InvalidHandlerError, ResourceHandler } from '@kubeop/core';
import { crdManifest, describeHandlerClass, GeneratedCrdError, prepareOperator } from '@kubeop/core/tooling';
import { KubeClient } from '../src/kube/client.js';
import { operatorSuite, runOperator } from './support/operator.js';

const env = operatorSuite({ beforeAll, afterEach, afterAll });
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

function freshResource(extra: Record<string, unknown> = {}) {
  const suffix = randomBytes(3).toString('hex');
  const resource = {
    group: 'generated.crd.kubeop.dev',
    version: 'v1',
    plural: `widgets${suffix}`,
    kind: `Widget${suffix.toUpperCase()}`,
    ...extra,
  };
  @CustomResource(resource)
  class Handler extends ResourceHandler {
    @OnAdded() async added() {}
  }
  return {
    Handler,
    name: `${resource.plural}.${resource.group}`,
    record: () => describeHandlerClass(Handler).resource,
  };
}

/** What kubeop crd --out would write for the resource with this spec schema; `record` as the decorator was when it ran. */
function writeGenerated(
  resource: ReturnType<typeof freshResource>['record'],
  spec: Record<string, unknown>,
  record = resource(),
): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeop-crds-'));
  const manifest = crdManifest(record, {
    type: 'object',
    properties: { spec, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  });
  writeFileSync(join(dir, `${record.plural}.${record.group}.json`), JSON.stringify(manifest));
  return dir;
}

async function specSchema(name: string): Promise<unknown> {
  const client = new KubeClient(env.kubeConfig);
  try {
    const crd = await client.request<{
      spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: unknown } } } }> };
    }>('GET', `${CRD_PATH}/${name}`);
    return crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec;
  } finally {
    await client.close();
  }
}

const V1 = {
  type: 'object',
  properties: { size: { type: 'integer', minimum: 1, 'x-kubernetes-validations': [{ rule: 'self < 100' }] } },
};
const V2 = {
  type: 'object',
  properties: { size: { type: 'integer', minimum: 2, 'x-kubernetes-validations': [{ rule: 'self < 100' }] } },
};

describe('--create-crd with a generated CRD', () => {
  it('installs the generated CRD from --crd-dir, x-kubernetes-* keys and columns included', async () => {
    const { Handler, name, record } = freshResource();
    const dir = writeGenerated(record, V1);
    const running = await runOperator([Handler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--create-crd', '--crd-dir', dir],
    });
    expect(await specSchema(name)).toEqual(V1);
    expect(running.logText()).toContain(`CustomResourceDefinition ${name} created`);
    expect(running.logText()).not.toContain('no generated CRD');
  });

  it('leaves an existing CRD whose schema differs, with one warning; --update-crd applies it', async () => {
    const { Handler, name, record } = freshResource();
    const argv = (dir: string, ...more: string[]) => ({
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--create-crd', '--crd-dir', dir, ...more],
    });
    await (await runOperator([Handler], argv(writeGenerated(record, V1)))).stop();
    const newer = writeGenerated(record, V2);
    const left = await runOperator([Handler], argv(newer));
    expect(await specSchema(name)).toEqual(V1);
    const warnings = left
      .logText()
      .split('\n')
      .filter((line) => line.includes(`CustomResourceDefinition ${name} differs`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('schema .properties.spec.properties.size.minimum: 1, 2 wanted');
    expect(warnings[0]).toContain(
      'kubeop crd | kubectl apply -f - updates it, or start the operator with --update-crd',
    );
    await left.stop();
    const updated = await runOperator([Handler], argv(newer, '--update-crd'));
    expect(await specSchema(name)).toEqual(V2);
    expect(updated.logText()).toContain(
      `CustomResourceDefinition ${name} updated (schema .properties.spec.properties.size.minimum: 1, 2 wanted)`,
    );
  });

  it('warns when the generated CRD predates the decorator (its columns changed since), and installs it as it is', async () => {
    const { Handler, name, record } = freshResource();
    const older = { ...record(), columns: [{ name: 'Size', type: 'integer' as const, jsonPath: '.spec.size' }] };
    const dir = writeGenerated(record, V1, older);
    const running = await runOperator([Handler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--create-crd', '--crd-dir', dir],
    });
    expect(running.logText()).toContain(`CustomResourceDefinition ${name} created`);
    const messages = running
      .logText()
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { message: string }).message);
    const warnings = messages.filter((message) => message.includes('does not match the @CustomResource'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `${join(dir, `${name}.json`)} does not match the @CustomResource of ${record().kind} (.spec.versions[0].additionalPrinterColumns[0].name: "Size", "State" wanted)`,
    );
    expect(warnings[0]).toContain(`run kubeop crd --out ${dir}`);
  });

  it('without a generated CRD installs the permissive schema and says where it looked and what generates it', async () => {
    const { Handler, name, record } = freshResource();
    const dir = mkdtempSync(join(tmpdir(), 'kubeop-crds-'));
    const running = await runOperator([Handler], {
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--create-crd', '--crd-dir', dir],
    });
    expect(await specSchema(name)).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    const warnings = running
      .logText()
      .split('\n')
      .filter((line) => line.includes('no generated CRD'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`looked for ${join(dir, `${record().plural}.${record().group}.json`)}`);
    expect(warnings[0]).toContain('kubeop crd --out');
  });

  it('with --update-crd refuses to start rather than replace a validated schema with the permissive one', async () => {
    const { Handler, name, record } = freshResource();
    const argv = (dir: string, ...more: string[]) => ({
      kubeconfigPath: env.kubeconfigPath,
      namespace: env.namespace,
      argv: ['--create-crd', '--crd-dir', dir, ...more],
    });
    await (await runOperator([Handler], argv(writeGenerated(record, V1)))).stop();
    const empty = mkdtempSync(join(tmpdir(), 'kubeop-crds-'));
    const started = runOperator([Handler], argv(empty, '--update-crd'));
    await expect(started).rejects.toThrow(GeneratedCrdError);
    await expect(started).rejects.toThrow(
      `--update-crd: no generated CRD for ${name} (looked for ${join(empty, `${name}.json`)})`,
    );
    await expect(started).rejects.toThrow('kubeop crd --out');
    expect(await specSchema(name)).toEqual(V1);
  });
});

describe('a hand-written schema', () => {
  it('is refused at start when it is not structural, naming the fields', () => {
    const { Handler } = freshResource({
      schema: {
        type: 'object',
        properties: { spec: { type: ['string', 'null'] }, status: { $ref: '#/definitions/S' } },
      },
    });
    expect(() => prepareOperator({ handlers: [Handler], argv: [], env: {} })).toThrow(InvalidHandlerError);
    expect(() => prepareOperator({ handlers: [Handler], argv: [], env: {} })).toThrow(
      /\.spec: type \["string","null"\] must be one of[^]*\.status: \$ref is not allowed/,
    );
  });
});
