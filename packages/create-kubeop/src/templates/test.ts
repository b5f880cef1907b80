// test/<kind>.int.test.ts: the operator on a real control plane, with node:test and @kubeop/testing's operator kit.
import type { Context } from './context.js';

// Names the test file uses already, and words JavaScript reserves: a plural among them gets a neutral name.
const TAKEN = new Set([
  'assert',
  'after',
  'afterEach',
  'before',
  'test',
  'objects',
  'plane',
  'namespace',
  'operator',
  'ready',
  'delete',
  'new',
  'in',
  'for',
  'do',
  'if',
  'var',
  'let',
  'case',
  'enum',
  'void',
  'with',
  'this',
  'try',
]);

export function integrationTest(c: Context): string {
  const camel = c.plural.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  const items = TAKEN.has(camel) ? 'items' : camel;
  return `// Runs the ${c.kind} operator on a real etcd + kube-apiserver: a new ${c.kind} gets its status, a deleted one goes.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ControlPlane, createTestNamespace, startControlPlane } from '@kubeop/testing';
import { installCrd, objects, runOperator, stopAllOperators } from '@kubeop/testing/operator';
import { ${c.handlerClass} } from '../src/${c.file}.handler.js';

let plane: ControlPlane;
let namespace: string;

before(async () => {
  // About 3 s; the first run on a machine builds the binaries with Go (minutes) and caches them in ~/.cache/kubeop.
  plane = await startControlPlane();
  namespace = await createTestNamespace(plane.kubeConfig);
  // The CRD npm run build generated from the handler's types, as --create-crd installs it.
  await installCrd(plane.kubeConfig, ${c.handlerClass}, { crdDir: fileURLToPath(new URL('../../dist/crds', import.meta.url)) });
});
afterEach(() => stopAllOperators());
after(() => plane?.stop());

test('a new ${c.kind} gets status.state "ready"', async () => {
  await runOperator(${c.handlerClass}, { kubeconfigPath: plane.kubeconfigPath, namespace });
  const ${items} = objects(plane.kubeConfig, ${c.handlerClass}, namespace);
  await ${items}.create('first', { message: 'kubeop' });
  const ready = await ${items}.waitFor('first', (o) => o.status?.state === 'ready', 'first to be ready');
  assert.equal(ready.status?.greeting, 'hello, kubeop');
});

test('a deleted ${c.kind} goes once @OnDeleted has run', async () => {
  const operator = await runOperator(${c.handlerClass}, { kubeconfigPath: plane.kubeconfigPath, namespace });
  const ${items} = objects(plane.kubeConfig, ${c.handlerClass}, namespace);
  await ${items}.create('second');
  await ${items}.waitFor('second', (o) => o.status?.state === 'ready', 'second to be ready');
  await ${items}.delete('second');
  await ${items}.waitForDeletion('second');
  assert.match(operator.logText(), /deleted second/);
});
`;
}
