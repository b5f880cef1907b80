// The generated CRDs on a real kube-apiserver: accepted (structural, CEL compiled), each constraint enforced with its
// field path, defaults applied, descriptions published in OpenAPI, printer columns in Table responses.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, setHeaderOptions } from '@kubernetes/client-node';
import { generateCrds, type GeneratedCrd } from '@kubeop/cli';
import { eventually, testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { KubeClient } from '../../core/src/kube/client.js';
import { KubeApiError } from '../../core/src/kube/errors.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
/** CRDs are cluster-scoped and the control plane is shared: every group here is this run's own. */
const SUFFIX = randomBytes(3).toString('hex');

type Manifest = Record<string, unknown> & {
  metadata: { name: string };
  spec: { group: string; names: { plural: string } };
};

/** The CRD under a group no other test file uses: `t<suffix>.<group>`. */
function renamed(crd: GeneratedCrd): Manifest {
  const manifest = structuredClone(crd.manifest) as Manifest;
  manifest.spec.group = `t${SUFFIX}.${manifest.spec.group}`;
  manifest.metadata.name = `${manifest.spec.names.plural}.${manifest.spec.group}`;
  return manifest;
}

const corpusCrd = renamed(generateCrds(join(ROOT, 'packages/cli/test/fixtures/corpus/tsconfig.json'))[0]!);
const sampleCrds = ['test-object', 'config-bundle', 'static-site', 'versioned-widget'].flatMap((s) =>
  generateCrds(join(ROOT, 'samples', s, 'tsconfig.json')).map(renamed),
);
const group = corpusCrd.spec.group;
const VERSION_OF: Record<string, string> = {
  testobjects: 'v1alpha1',
  configbundles: 'v1',
  staticsites: 'v1',
  widgets: 'v2',
};

let env: TestEnvironment;
let client: KubeClient;
beforeAll(async () => {
  env = await testEnvironment();
  client = new KubeClient(env.kubeConfig);
  for (const crd of [corpusCrd, ...sampleCrds]) await client.request('POST', CRD_PATH, { body: crd });
});
afterAll(async () => {
  await Promise.all(
    [corpusCrd, ...sampleCrds].map((crd) =>
      client.request('DELETE', `${CRD_PATH}/${crd.metadata.name}`).catch(() => undefined),
    ),
  );
  await client.close();
});

interface CrdStatus {
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
}

/** A spec of the corpus that satisfies every constraint. */
const VALID = {
  text: 't',
  amount: 1.5,
  flag: true,
  count: 2,
  countAsType: 3,
  small: 4,
  big: 5,
  mode: 'fast',
  fixed: 'only',
  level: 2,
  tags: ['a'],
  items: [{ name: 'i' }],
  labels: { a: 'b' },
  byName: { x: { name: 'x' } },
  free: { any: { thing: [1] } },
  anything: 7,
  when: '2025-01-02T03:04:05Z',
  maybe: null,
  maybeInner: null,
  inner: { name: 'n', weight: 1 },
  port: 80,
  bounded: 5,
  fraction: 0.5,
  shortText: 'abc',
  lowerCase: 'abc',
  id: '123e4567-e89b-12d3-a456-426614174000',
  few: ['a'],
  intOrString: '50%',
  nonEmpty: 'x',
  nonNegative: 0,
  uniqueTags: ['a', 'b'],
  keyed: [{ name: 'a' }, { name: 'b' }],
  atomic: { k: 'v' },
  color: 'red',
  scores: { ann: 1 },
  partial: {},
  picked: { name: 'p' },
  both: { name: 'b', extra: false },
  frozen: [],
  multiline: 'm',
  opaque: { x: 1 },
  nullableMode: 'on',
  priority: 2,
  always: true,
  fixedKeys: { min: 1, max: 2 },
  omitted: { name: 'o' },
  generic: { value: 'v' },
  derived: { name: 'd', rank: 1 },
  maybeTags: ['a'],
  sparse: ['a'],
  version: 'v1',
  whatever: 'w',
  maybeWhen: '2025-01-02T03:04:05Z',
  someLabels: { a: 'b' },
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'embedded' } },
  twoRules: 'ab',
  maybeFlag: false,
  byIndex: { 1: 'one' },
  step: 10,
  linked: 'l',
  loose: { known: 'k' },
  day: '2025-01-02',
  readOnly: { name: 'r' },
  eitherBoolean: true,
  modes: ['read'],
};

const path = (name?: string) => `/apis/${group}/v1/namespaces/${env.namespace}/corpora${name ? `/${name}` : ''}`;
let serial = 0;
async function create(spec: Record<string, unknown>): Promise<Record<string, unknown>> {
  const name = `c${++serial}`;
  return client.request('POST', path(), {
    body: { apiVersion: `${group}/v1`, kind: 'Corpus', metadata: { name }, spec },
  });
}
async function refusal(spec: Record<string, unknown>): Promise<string> {
  const error = await create(spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubeApiError);
  expect((error as KubeApiError).status).toBe(422);
  return (error as KubeApiError).serverMessage ?? '';
}

describe('generated CRDs on kube-apiserver', () => {
  it('are accepted and Established: the corpus and every sample (structural schemas, CEL rules compiled)', async () => {
    for (const crd of [corpusCrd, ...sampleCrds]) {
      const established = await eventually(async () => {
        const status = await client.request<CrdStatus>('GET', `${CRD_PATH}/${crd.metadata.name}`);
        return status.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') && status;
      }, `${crd.metadata.name} Established`);
      expect(established.status?.conditions?.find((c) => c.type === 'NonStructuralSchema')).toBeUndefined();
    }
  });

  it('accept a spec that satisfies every constraint', async () => {
    await eventually(
      () =>
        create(VALID).catch((e: unknown) =>
          e instanceof KubeApiError && e.status === 404 ? undefined : Promise.reject(e as Error),
        ),
      'the corpus resource served',
    );
  });

  it.each([
    [
      'a string field given a number',
      { text: 1 },
      'spec.text: Invalid value: "integer": spec.text in body must be of type string',
    ],
    [
      '@integer given a fraction',
      { count: 1.5 },
      'spec.count: Invalid value: "number": spec.count in body must be of type integer',
    ],
    ['a literal union given another string', { mode: 'medium' }, 'spec.mode: Unsupported value: "medium"'],
    ['a TS enum given another string', { color: 'blue' }, 'spec.color: Unsupported value: "blue"'],
    [
      '@maximum',
      { bounded: 11 },
      'spec.bounded: Invalid value: 11: spec.bounded in body should be less than or equal to 10',
    ],
    [
      '@minimum',
      { bounded: 0 },
      'spec.bounded: Invalid value: 0: spec.bounded in body should be greater than or equal to 1',
    ],
    [
      '@exclusiveMinimum',
      { fraction: 0 },
      'spec.fraction: Invalid value: 0: spec.fraction in body should be greater than 0',
    ],
    [
      '@exclusiveMaximum',
      { fraction: 1 },
      'spec.fraction: Invalid value: 1: spec.fraction in body should be less than 1',
    ],
    [
      '@minLength',
      { shortText: 'a' },
      'spec.shortText: Invalid value: "a": spec.shortText in body should be at least 2 chars long',
    ],
    ['@maxLength', { shortText: 'abcdefghi' }, 'spec.shortText: Too long: may not be'],
    [
      '@pattern',
      { lowerCase: 'ABC' },
      'spec.lowerCase: Invalid value: "ABC": spec.lowerCase in body should match \'^[a-z]+$\'',
    ],
    ['@format uuid', { id: 'nope' }, 'spec.id: Invalid value: "nope": spec.id in body must be of type uuid'],
    ['@minItems', { few: [] }, 'spec.few: Invalid value: 0: spec.few in body should have at least 1 items'],
    ['@maxItems', { few: ['a', 'b', 'c', 'd'] }, 'spec.few: Too many: 4: must have at most 3 items'],
    ['a CEL rule', { nonEmpty: '' }, 'spec.nonEmpty: Invalid value: "": failed rule: self.size() > 0'],
    ['a CEL rule with its message', { nonNegative: -1 }, 'spec.nonNegative: Invalid value: -1: must not be negative'],
    ['@listType set', { uniqueTags: ['a', 'a'] }, 'spec.uniqueTags[1]: Duplicate value: "a"'],
    ['@listType map', { keyed: [{ name: 'a' }, { name: 'a' }] }, 'spec.keyed[1]: Duplicate value: {"name":"a"}'],
    ['a required field missing', { text: undefined }, 'spec.text: Required value'],
    ['a required field of a nested type missing', { inner: { weight: 1 } }, 'spec.inner.name: Required value'],
    [
      'an array item of the wrong shape',
      { items: [{ name: 3 }] },
      'spec.items[0].name: Invalid value: "integer": spec.items[0].name in body must be of type string',
    ],
    [
      'a map value of the wrong type',
      { labels: { a: 1 } },
      'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string',
    ],
    ['null where not nullable (null is no value)', { text: null }, 'spec.text: Required value'],
    [
      'a date-time that is none',
      { when: 'yesterday' },
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time',
    ],
    [
      'int-or-string given a boolean',
      { intOrString: true },
      'spec.intOrString: Invalid value: "boolean": spec.intOrString in body must be of type integer,string',
    ],
    [
      'a nullable literal union given another string',
      { nullableMode: 'auto' },
      'spec.nullableMode: Invalid value: "auto": must be one of "on", "off", or null',
    ],
    [
      'a numeric TS enum given another number',
      { priority: 3 },
      'spec.priority: Unsupported value: 3: supported values: "1", "2"',
    ],
    [
      'a boolean literal given the other boolean',
      { always: false },
      'spec.always: Unsupported value: false: supported values: "true"',
    ],
    ['a Record of literal keys missing one', { fixedKeys: { min: 1 } }, 'spec.fixedKeys.max: Required value'],
    ['an inherited required field missing', { derived: { rank: 1 } }, 'spec.derived.name: Required value'],
    [
      '@minProperties',
      { someLabels: {} },
      'spec.someLabels: Invalid value: 0: spec.someLabels in body should have at least 1 properties',
    ],
    [
      '@maxProperties',
      { someLabels: { a: 'a', b: 'b', c: 'c' } },
      'spec.someLabels: Too many: 3: must have at most 2 items',
    ],
    [
      '@embeddedResource without its kind',
      { object: { apiVersion: 'v1', metadata: { name: 'x' } } },
      'spec.object.kind: Required value',
    ],
    [
      'the first of two CEL rules',
      { twoRules: 'a' },
      'spec.twoRules: Invalid value: "a": failed rule: self.size() > 1',
    ],
    [
      'the second of two CEL rules, with its message',
      { twoRules: 'abcde' },
      'spec.twoRules: Invalid value: "abcde": at most 4 characters',
    ],
    ['@multipleOf', { step: 7 }, 'spec.step: Invalid value: 7: spec.step in body should be a multiple of 5'],
    ['@format date', { day: 'monday' }, 'spec.day: Invalid value: "monday": spec.day in body must be of type date'],
    [
      'an array of a literal union given another string',
      { modes: ['read', 'exec'] },
      'spec.modes[1]: Unsupported value: "exec": supported values: "read", "write"',
    ],
    [
      'a nullable array given an item of the wrong type',
      { maybeTags: [1] },
      'spec.maybeTags[0]: Invalid value: "integer": spec.maybeTags[0] in body must be of type string',
    ],
  ])('refuse %s, naming the field', async (_, change, message) => {
    expect(await refusal({ ...VALID, ...change })).toContain(message);
  });

  it('refuse an object without spec when Spec has required fields, and need no status', async () => {
    const error = await client
      .request('POST', path(), { body: { apiVersion: `${group}/v1`, kind: 'Corpus', metadata: { name: 'no-spec' } } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(422);
    expect((error as KubeApiError).serverMessage).toContain('spec: Required value');
    // The Status type has required fields too, yet an object is created without one: the operator writes it later.
    const created = (await create(VALID)) as { status?: unknown };
    expect(created.status).toBeUndefined();
  });

  it('apply the defaults', async () => {
    const {
      withDefault: _,
      textDefault: __,
      emptyByDefault: ___,
      listDefault: ____,
      ...spec
    } = VALID as Record<string, unknown>;
    const created = (await create(spec)) as { spec: Record<string, unknown> };
    expect(created.spec).toMatchObject({ withDefault: 3, textDefault: 'none', emptyByDefault: {}, listDefault: ['a'] });
  });

  it('accept null where the type says | null, in a literal union and in array items too', async () => {
    const nulls = {
      maybe: null,
      maybeInner: null,
      nullableMode: null,
      maybeTags: null,
      sparse: ['a', null],
      maybeWhen: null,
      maybeFlag: null,
    };
    const created = (await create({ ...VALID, ...nulls })) as { spec: Record<string, unknown> };
    expect(created.spec).toMatchObject(nulls);
  });

  it('keep unknown fields only where the type is unknown, prune them elsewhere', async () => {
    const created = (await create({
      ...VALID,
      stray: 1,
      inner: { name: 'n', stray: 2 },
      free: { kept: { deep: true } },
    })) as { spec: Record<string, unknown> };
    expect(created.spec.stray).toBeUndefined();
    expect(created.spec.inner).toEqual({ name: 'n' });
    expect(created.spec.free).toEqual({ kept: { deep: true } });
  });

  it('publish the TSDoc descriptions in OpenAPI v3 (what kubectl explain shows)', async () => {
    const published = await eventually(async () => {
      const document = await client
        .request<Record<string, unknown>>('GET', `/openapi/v3/apis/${group}/v1`)
        .catch(() => undefined);
      return document && JSON.stringify(document).includes('Name of the inner thing.') && JSON.stringify(document);
    }, 'the descriptions in /openapi/v3');
    expect(published).toContain("The inner field's own description.");
    expect(published).toContain('A corpus of shapes: every field one mapping.');
    expect(published).toContain('See Inner and the docs (https://kubernetes.io).');
  });

  it('show the printer columns in a Table', async () => {
    const table = (await env.kubeConfig
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject(
        { group, version: 'v1', namespace: env.namespace, plural: 'corpora' },
        setHeaderOptions('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io'),
      )) as {
      kind: string;
      columnDefinitions: Array<{ name: string; type: string }>;
      rows: Array<{ cells: unknown[] }>;
    };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['State', 'string'],
      ['Age', 'date'],
    ]);
    expect(table.rows.length).toBeGreaterThan(0);
  });

  it("show a sample's own columns in a Table", async () => {
    const site = sampleCrds.find((c) => c.spec.names.plural === 'staticsites')!;
    const siteGroup = site.spec.group;
    await eventually(
      () =>
        client
          .request('POST', `/apis/${siteGroup}/v1/namespaces/${env.namespace}/staticsites`, {
            body: {
              apiVersion: `${siteGroup}/v1`,
              kind: 'StaticSite',
              metadata: { name: 'web' },
              spec: { image: 'nginx:1.27', replicas: 2 },
            },
          })
          .catch((e: unknown) =>
            e instanceof KubeApiError && e.status === 404 ? undefined : Promise.reject(e as Error),
          ),
      'a StaticSite created',
    );
    const table = (await env.kubeConfig
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject(
        { group: siteGroup, version: 'v1', namespace: env.namespace, plural: 'staticsites' },
        setHeaderOptions('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io'),
      )) as { columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[] }> };
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Image',
      'Wanted',
      'Available',
      'State',
      'Age',
    ]);
    expect(table.rows[0]!.cells.slice(0, 3)).toEqual(['web', 'nginx:1.27', 2]);
  });

  it('refuse a sample object breaking its pattern, bound and CEL rule, and default its port', async () => {
    const site = sampleCrds.find((c) => c.spec.names.plural === 'staticsites')!;
    const url = `/apis/${site.spec.group}/v1/namespaces/${env.namespace}/staticsites`;
    const post = (name: string, spec: unknown) =>
      client.request<{ spec: { port?: number } }>('POST', url, {
        body: { apiVersion: `${site.spec.group}/v1`, kind: 'StaticSite', metadata: { name }, spec },
      });
    const message = (name: string, spec: unknown) =>
      post(name, spec).then(
        () => '',
        (e: KubeApiError) => e.serverMessage ?? '',
      );
    expect(await message('a', { image: 'Bad Image', replicas: 1 })).toContain(
      'spec.image: Invalid value: "Bad Image": spec.image in body should match',
    );
    expect(await message('b', { image: 'nginx', replicas: 21 })).toContain(
      'spec.replicas: Invalid value: 21: spec.replicas in body should be less than or equal to 20',
    );
    expect(await message('c', { image: '', replicas: 1 })).toContain(
      'spec: Invalid value: a site with replicas needs an image',
    );
    expect((await post('d', { image: 'nginx', replicas: 1 })).spec.port).toBe(8080);
  });

  it('refuse a TestObject message of two lines (its pattern), and a ConfigBundle key its CEL rule forbids or one key too many', async () => {
    const post = (plural: string, kind: string, spec: unknown) => {
      const crd = sampleCrds.find((c) => c.spec.names.plural === plural)!;
      const body = {
        apiVersion: `${crd.spec.group}/${VERSION_OF[plural]}`,
        kind,
        metadata: { generateName: 's-' },
        spec,
      };
      return client.request<{ spec: Record<string, unknown> }>(
        'POST',
        `/apis/${crd.spec.group}/${VERSION_OF[plural]}/namespaces/${env.namespace}/${plural}`,
        { body },
      );
    };
    const message = (...args: Parameters<typeof post>) =>
      post(...args).then(
        () => '',
        (e: KubeApiError) => e.serverMessage ?? '',
      );
    expect(await message('testobjects', 'TestObject', { message: 'one\ntwo' })).toContain(
      'spec.message: Invalid value: "one\\ntwo": spec.message in body should match \'^[^\\n\\r]*$\'',
    );
    expect(await message('configbundles', 'ConfigBundle', { data: { 'a key': 'v' } })).toContain(
      "spec.data: Invalid value: keys may hold letters, digits, '-', '_' and '.' only",
    );
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']));
    expect(await message('configbundles', 'ConfigBundle', { data: many })).toContain(
      'spec.data: Too many: 101: must have at most 100 items',
    );
    expect((await post('configbundles', 'ConfigBundle', {})).spec).toEqual({ data: {} });
  });
});
