// What `@kubeop/testing/jest/global-setup` resolves to: the Node.js version check, then the global setup. The setup
// imports node:module's registerHooks (Node >= 22.15), which on an older Node fails before any of its code runs.
import '../runtime-check.js';

export default async function globalSetup(...args: unknown[]): Promise<void> {
  const { default: setup } = (await import('./global-setup.js')) as { default: (...args: unknown[]) => Promise<void> };
  await setup(...args);
}
