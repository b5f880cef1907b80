// `npm start`'s demo against an existing cluster (KUBECONFIG set): the handlers run and write their status.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { testEnvironment, type TestEnvironment } from '@kubeop/testing';

const START = fileURLToPath(new URL('../dist/start.js', import.meta.url));

let env: TestEnvironment;
beforeAll(async () => {
  env = await testEnvironment();
});

describe('the test-object demo', () => {
  it('creates the CRD, applies the example, and shows the statuses of @OnAdded and @OnModified', async () => {
    const child = spawn(process.execPath, [START, '--exit-when-done'], {
      // Servers off: other operators may run beside this one in the test run.
      env: {
        PATH: process.env.PATH,
        KUBECONFIG: env.kubeconfigPath,
        KUBEOP_METRICS_BIND_ADDRESS: '0',
        KUBEOP_HEALTH_PROBE_BIND_ADDRESS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain(`using the cluster of KUBECONFIG=${env.kubeconfigPath}`);
    expect(output).toMatch(/created: message="hello from kubeop", my-argument="from npm start"/);
    expect(output).toMatch(
      /status written by @OnAdded: \{"extraInfo":\{"someMoreInfo":"here"\},"observedGeneration":1,"state":"created"\}/,
    );
    expect(output).toMatch(/status written by @OnModified: \{.*"observedGeneration":2,"state":"modified"\}/);
  });
});
