// Creates many bench objects from a process of its own, so that their cost is not counted as the operator's.
// Run: node bench/create.js KUBECONFIG NAMESPACE PREFIX COUNT [PARALLEL]  (spawned by run.js)
import { pathToFileURL } from 'node:url';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { inParallel } from './in-parallel.js';

export const resource = { group: 'bench.kubeop.dev', version: 'v1', plural: 'items', singular: 'item', kind: 'Item' };

export function body(name, namespace) {
  return {
    apiVersion: `${resource.group}/${resource.version}`,
    kind: resource.kind,
    metadata: { name, namespace, labels: { bench: 'yes' } },
    spec: { payload: 'x'.repeat(200), replicas: 3 },
  };
}

function createMany(api, namespace, prefix, count, parallel) {
  return inParallel(count, parallel, (i) =>
    api.createNamespacedCustomObject({ ...resource, namespace, body: body(`${prefix}-${i}`, namespace) }),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [kubeconfigPath, namespace, prefix, count, parallel = '16'] = process.argv.slice(2);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  await createMany(kubeConfig.makeApiClient(CustomObjectsApi), namespace, prefix, Number(count), Number(parallel));
}
