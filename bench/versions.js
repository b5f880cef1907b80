// Versions: conversions per second through the conversion kubeop serves (the versioned-widget sample's converters,
// the stash included), listing at the old version against the storage version through a running operator's
// webhook, and the time and API requests of a storage migration. Prints figures; asserts nothing.
// Run: npm run bench:versions  (BENCH_LIST_OBJECTS 1000, BENCH_LISTS 30, BENCH_MIGRATE_OBJECTS 10000)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { convertReview, describeHandlerClass, KubeClient } from '@kubeop/core/tooling';
import { WidgetHandler } from '../samples/versioned-widget/dist/widget.handler.js';
import { migrateStorage } from '../packages/core/dist/internal/migrate/storage-migrator.js';
import { createRootLogger } from '../packages/core/dist/logging.js';
import { inParallel } from './in-parallel.js';
import { onControlPlane, withControlPlane } from './on-control-plane.js';
import { listingAtBothVersions } from './versions-listing.js';

const MIGRATE = Number(process.env.BENCH_MIGRATE_OBJECTS ?? 10_000);
const PER_REVIEW = 100;
const group = 'samples.kubeop.dev';

function conversionsPerSecond() {
  const description = describeHandlerClass(WidgetHandler);
  const v2 = (i) => ({
    apiVersion: `${group}/v2`,
    kind: 'Widget',
    metadata: { name: `w${i}`, namespace: 'default', uid: `u${i}`, resourceVersion: `${i}`, labels: { app: 'bench' } },
    spec: { owner: { first: 'Ada', last: `Lovelace ${i}` }, replicas: i % 100, ...(i % 2 ? { color: 'blue' } : {}) },
    status: { state: 'ready', replicas: i % 100 },
  });
  const review = (objects, version) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    request: { uid: 'bench', desiredAPIVersion: `${group}/${version}`, objects },
  });
  const down = review(
    Array.from({ length: PER_REVIEW }, (_, i) => v2(i)),
    'v1',
  );
  const up = review(convertReview(down, description).response.convertedObjects, 'v2');
  for (const [name, body] of [
    ['v2 → v1 (with the stash check)', down],
    ['v1 → v2 (stash restored)', up],
  ]) {
    let objects = 0;
    const started = performance.now();
    while (performance.now() - started < 2000) {
      convertReview(body, description);
      objects += PER_REVIEW;
    }
    const perSecond = Math.round(objects / ((performance.now() - started) / 1000));
    console.log(`conversions ${name}: ${perSecond.toLocaleString('en')} objects/s (reviews of ${PER_REVIEW})`);
  }
}

async function migration(plane) {
  const client = new KubeClient(plane.kubeConfig);
  const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const g = `b${randomBytes(3).toString('hex')}.kubeop.dev`;
  const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  const version = (name, storage) => ({ name, served: true, storage, schema });
  await client.request('POST', crdPath, {
    body: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `gadgets.${g}` },
      spec: {
        group: g,
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [version('v1', true), version('v2', false)],
        conversion: { strategy: 'None' },
      },
    },
  });
  const collection = `/apis/${g}/v1/namespaces/default/gadgets`;
  for (let served = false; !served;)
    served = await client.request('GET', collection, { query: { limit: 1 } }).then(
      () => true,
      () => false,
    );
  await inParallel(MIGRATE, 16, (i) =>
    client.request('POST', collection, {
      body: { apiVersion: `${g}/v1`, kind: 'Gadget', metadata: { name: `g${i}` }, spec: { n: i } },
    }),
  );
  await client.request('PATCH', `${crdPath}/gadgets.${g}`, {
    contentType: 'application/merge-patch+json',
    body: { spec: { versions: [version('v1', false), version('v2', true)] } },
  });
  for (let both = false; !both;)
    both = (await client.request('GET', `${crdPath}/gadgets.${g}`)).status.storedVersions.length === 2;
  const requests = {};
  client.requestObserver = ({ method }) => (requests[method] = (requests[method] ?? 0) + 1);
  const logger = createRootLogger({
    level: 'error',
    format: 'text',
    stream: new Writable({ write: (_c, _e, done) => done() }),
  });
  const started = performance.now();
  const result = await migrateStorage({
    client,
    resource: { group: g, plural: 'gadgets', kind: 'Gadget', scope: 'Namespaced' },
    logger,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `storage migration of ${result.objects.toLocaleString('en')} objects: ${seconds.toFixed(1)} s ` +
      `(${Math.round(result.objects / seconds)} objects/s), API requests ${JSON.stringify(requests)}`,
  );
  await client.close();
}

conversionsPerSecond();
// Lists twice: with the API server's watch cache (its default), which converts each object once per write into a
// cache per served version, and without it, where every list at v1 converts every object through the webhook.
onControlPlane(async (plane) => {
  await withControlPlane((uncached) => listingAtBothVersions(uncached, 'watch cache off'), {
    extraApiServerFlags: ['--watch-cache=false'],
  });
  await listingAtBothVersions(plane, 'watch cache on, the default');
  await migration(plane);
});
