// What a jest test file gets from the shared control plane: a client configuration and a namespace of its own.
import { KubeConfig } from '@kubernetes/client-node';
import { basename } from 'node:path';
import { createTestNamespace } from './namespace.js';
import { TestingError } from './errors.js';

/** The environment variable through which the jest global setup hands the kubeconfig path to test workers. */
export const TEST_KUBECONFIG_ENV = 'KUBEOP_TEST_KUBECONFIG';

export interface TestEnvironment {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  /** Created for this call; objects of the test file belong here. */
  namespace: string;
}

export interface TestEnvironmentOptions {
  /** Start of the namespace name. Defaults to the test file's name (from jest), else `test`. */
  namespacePrefix?: string;
}

/** `KUBEOP_TEST_KUBECONFIG` is not set: the test does not run under the kubeop jest global setup. */
export class TestEnvironmentNotConfiguredError extends TestingError {
  override name = 'TestEnvironmentNotConfiguredError';
  readonly code = 'TEST_ENVIRONMENT_NOT_CONFIGURED';

  constructor() {
    super(
      `${TEST_KUBECONFIG_ENV} is not set. Run the test with globalSetup: '@kubeop/testing/jest/global-setup' and ` +
        `globalTeardown: '@kubeop/testing/jest/global-teardown' in the jest config, or set ${TEST_KUBECONFIG_ENV} to a kubeconfig yourself.`,
    );
  }
}

/** Connects to the run's shared control plane and creates a namespace for the calling test file (call it in beforeAll). */
export async function testEnvironment(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const kubeconfigPath = process.env[TEST_KUBECONFIG_ENV];
  if (!kubeconfigPath) throw new TestEnvironmentNotConfiguredError();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const namespace = await createTestNamespace(kubeConfig, options.namespacePrefix ?? jestTestFileName() ?? 'test');
  return { kubeConfig, kubeconfigPath, namespace };
}

// Jest exposes `expect` as a global unless injectGlobals is off; its state knows the running test file.
function jestTestFileName(): string | undefined {
  const expect = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect;
  const testPath = expect?.getState?.().testPath;
  return testPath ? basename(testPath).replace(/(\.int)?\.test\.[cm]?[jt]s$/, '') : undefined;
}
