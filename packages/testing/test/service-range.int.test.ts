// The control plane's Service range holds a benchmark's storm: more ClusterIP Services than envtest's /24 (254) had.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { SERVICE_CLUSTER_IP_RANGE } from '../src/apiserver.js';

const COUNT = 300;
const names = Array.from({ length: COUNT }, (_, i) => `storm-${i}`);
let env: TestEnvironment;
let core: CoreV1Api;
beforeAll(async () => {
  env = await testEnvironment();
  core = env.kubeConfig.makeApiClient(CoreV1Api);
});
afterAll(() => inBatches(names, (name) => core.deleteNamespacedService({ name, namespace: env.namespace })));

/** Twenty requests at a time: the storm of a benchmark, without a thousand sockets at once. */
async function inBatches<T>(items: string[], each: (item: string) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < items.length; i += 20) results.push(...(await Promise.all(items.slice(i, i + 20).map(each))));
  return results;
}

/** 10.96.0.0/12 → whether `ip` lies in it. */
function inRange(ip: string, cidr: string): boolean {
  const toNumber = (address: string) => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const [base, bits] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}

describe('the Service range', () => {
  it(`gives each of ${COUNT} Services a ClusterIP in ${SERVICE_CLUSTER_IP_RANGE}`, async () => {
    const created = await inBatches(names, (name) =>
      core.createNamespacedService({
        namespace: env.namespace,
        body: { metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
      }),
    );
    const ips = created.map((service) => service.spec?.clusterIP ?? '');
    expect(new Set(ips).size).toBe(COUNT);
    expect(ips.filter((ip) => !inRange(ip, SERVICE_CLUSTER_IP_RANGE))).toEqual([]);
  });
});
