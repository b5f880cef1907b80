// Jest global teardown: stops the control plane the global setup started (if it started one).
import type { ControlPlane } from '../control-plane.js';

const KUBECONFIG_ENV = 'KUBEOP_TEST_KUBECONFIG';
const HANDLE = Symbol.for('kubeop.testing.controlPlane');

export default async function globalTeardown(): Promise<void> {
  const store = globalThis as Record<symbol, unknown>;
  const plane = store[HANDLE] as ControlPlane | undefined;
  if (!plane) return;
  delete store[HANDLE];
  // In watch mode the next run's setup must start a fresh one, not reuse this path.
  delete process.env[KUBECONFIG_ENV];
  await plane.stop();
}
