// One call per test file instead of the same setup blocks in each: the shared control plane's environment (a
// namespace of the file's own), CRDs installed once, and every operator the file started stopped after each test.
import { testEnvironment, type TestEnvironment } from '../env.js';
import { installCrd } from './crd.js';
import { killOperatorProcesses } from './operator-process.js';
import { stopAllOperators } from './run-operator.js';
import type { HandlerClass, ResourceType } from './types.js';
import { KitUsageError } from './kit-errors.js';

/** The hooks of the test framework (jest's, or node:test's `before`/`afterEach`/`after`). */
export interface SuiteHooks {
  beforeAll(fn: () => Promise<void>): void;
  afterEach(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void> | void): void;
}

export interface OperatorSuiteOptions {
  /** CRDs to install before the first test (handler classes or plain resource types). Defaults to none. */
  crds?: Array<HandlerClass | ResourceType>;
}

/**
 * Registers the file's setup and teardown and returns its environment, readable from the first test on:
 * `const env = operatorSuite({ beforeAll, afterEach, afterAll }, { crds: [MyHandler] });` then `env.namespace`.
 */
export function operatorSuite(hooks: SuiteHooks, options: OperatorSuiteOptions = {}): TestEnvironment {
  let current: TestEnvironment | undefined;
  hooks.beforeAll(async () => {
    current = await testEnvironment();
    for (const crd of options.crds ?? []) await installCrd(current.kubeConfig, crd);
  });
  hooks.afterEach(() => stopAllOperators());
  hooks.afterAll(() => killOperatorProcesses());
  const get = (): TestEnvironment => {
    if (!current)
      throw new KitUsageError(
        'operatorSuite(): the environment is ready from the first test (or a later beforeAll) on, not while the file loads',
      );
    return current;
  };
  return {
    get kubeConfig() {
      return get().kubeConfig;
    },
    get kubeconfigPath() {
      return get().kubeconfigPath;
    },
    get namespace() {
      return get().namespace;
    },
  };
}
