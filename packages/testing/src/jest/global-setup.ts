// Jest global setup: starts one control plane for the whole run and hands its kubeconfig to the test workers.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ControlPlane } from '../control-plane.js';

// Same names as in env.ts and global-teardown.ts; not imported, see below.
const KUBECONFIG_ENV = 'KUBEOP_TEST_KUBECONFIG';
// `0` runs the tests without kube-controller-manager (e.g. with setup-envtest's binaries, which lack it).
const CONTROLLER_MANAGER_ENV = 'KUBEOP_TEST_CONTROLLER_MANAGER';
const HANDLE = Symbol.for('kubeop.testing.controlPlane');

export default async function globalSetup(): Promise<void> {
  const preset = process.env[KUBECONFIG_ENV];
  if (preset) {
    process.stderr.write(
      `\n[kubeop] ${KUBECONFIG_ENV}=${preset} is set: testing against that cluster, not starting one.\n`,
    );
    return;
  }
  resolveSourcesFromTypeScript();
  await import('../runtime-check.js');
  const { startControlPlane } = await import('../control-plane.js');
  const started = Date.now();
  // One controller-manager for the whole run, so tests see garbage collection and namespace deletion as in a cluster.
  const controllerManager = process.env[CONTROLLER_MANAGER_ENV] !== '0';
  let plane: ControlPlane;
  try {
    plane = await startControlPlane({ controllerManager });
  } catch (error) {
    const message = (error as Error).message;
    const hint = message.includes('kube-controller-manager')
      ? ` Set ${CONTROLLER_MANAGER_ENV}=0 to test without it.`
      : '';
    process.stderr.write(
      `\n[kubeop] The test control plane did not start. The message below names the log files to read; ` +
        `set KUBEOP_KEEP_TEMP=1 to keep all its files.${hint}\n${message}\n`,
    );
    throw error;
  }
  (globalThis as Record<symbol, unknown>)[HANDLE] = plane;
  // Workers are forked after this and inherit the environment.
  process.env[KUBECONFIG_ENV] = plane.kubeconfigPath;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const kcm = controllerManager
    ? ' with kube-controller-manager'
    : ` without kube-controller-manager (${CONTROLLER_MANAGER_ENV}=0)`;
  process.stderr.write(
    `\n[kubeop] control plane ready${kcm} in ${seconds} s at ${plane.server} (logs: ${plane.logDir})\n`,
  );
}

/**
 * Jest loads this file with Node's own loader (type stripping), not ts-jest, so its moduleNameMapper does not apply
 * and `../control-plane.js` does not exist next to the sources. Map relative `.js` imports of this package's sources
 * to their `.ts` files. Nothing to do when running from dist/.
 */
let hooked = false;
function resolveSourcesFromTypeScript(): void {
  if (hooked || !import.meta.url.endsWith('.ts')) return;
  hooked = true;
  const srcUrl = new URL('../', import.meta.url).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (context.parentURL?.startsWith(srcUrl) && specifier.startsWith('.') && specifier.endsWith('.js')) {
        const ts = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
        if (existsSync(fileURLToPath(ts))) return nextResolve(ts.href, context);
      }
      return nextResolve(specifier, context);
    },
  });
}
