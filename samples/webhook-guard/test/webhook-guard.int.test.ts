// The webhook-guard operator, run as users run it (its compiled main.js): refuses a Backup without its Secret,
// allows one with it, and defaults its schedule to a minute spread by name.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { testEnvironment, type TestEnvironment } from '@kubeop/testing';
import { killOperatorProcesses, type OperatorProcess, spawnOperator } from '@kubeop/testing/operator';
import { spreadMinute } from '../src/backup.handler.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const base = { group: 'samples.kubeop.dev', version: 'v1', plural: 'backups' };

let env: TestEnvironment;
let operator: OperatorProcess;
beforeAll(async () => {
  env = await testEnvironment();
  operator = spawnOperator(MAIN, {
    args: [...['--create-crd', '--namespace', env.namespace, '--operator-namespace', env.namespace]],
    env: { KUBECONFIG: env.kubeconfigPath },
  });
  await operator.waitForOutput(/applied MutatingWebhookConfiguration/, 60_000);
});
afterAll(() => killOperatorProcesses());

const backup = (name: string, credentialsSecret: string) => ({
  apiVersion: 'samples.kubeop.dev/v1',
  kind: 'Backup',
  metadata: { name },
  spec: { credentialsSecret },
});

describe('the webhook-guard sample', () => {
  it('refuses a Backup whose Secret is missing, and defaults the schedule of one whose Secret exists', async () => {
    const api = env.kubeConfig.makeApiClient(CustomObjectsApi);
    const create = (body: object) => api.createNamespacedCustomObject({ ...base, namespace: env.namespace, body });
    const refused = await create(backup('orphan', 'missing')).catch((error: unknown) => error);
    expect(String((refused as { body?: unknown }).body)).toContain(
      `spec.credentialsSecret: no Secret missing in namespace ${env.namespace}`,
    );

    await env.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: env.namespace,
      body: { metadata: { name: 'storage' }, stringData: { key: 'k' } },
    });
    const created = (await create(backup('nightly', 'storage'))) as { spec: { schedule: string } };
    expect(created.spec.schedule).toBe(`${spreadMinute(`${env.namespace}/nightly`)} * * * *`);
  });

  it('exits 1 naming --webhook-bind-address when its port is taken', async () => {
    const port = /admission webhook\(s\) on https:\/\/127\.0\.0\.1:(\d+)/.exec(operator.output())?.[1];
    expect(port).toBeDefined();
    const second = spawnOperator(MAIN, {
      args: [
        '--namespace',
        env.namespace,
        '--operator-namespace',
        env.namespace,
        '--webhook-bind-address',
        `127.0.0.1:${port}`,
      ],
      env: { KUBECONFIG: env.kubeconfigPath },
    });
    expect(await second.exited).toMatchObject({ code: 1 });
    expect(second.output()).toContain(`--webhook-bind-address "127.0.0.1:${port}": the address is already in use`);
  });
});
