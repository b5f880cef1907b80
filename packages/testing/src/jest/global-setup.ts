// Jest global setup: starts one control plane for the whole run and hands its kubeconfig to the test workers.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ControlPlane } from '../control-plane.js';

// Same names as in env.ts and global-teardown.ts; not imported, see below.
const KUBECONFIG_ENV = 'KUBEOP_TEST_KUBECONFIG';
const HANDLE = Symbol.for('kubeop.testing.controlPlane');

export default async function globalSetup(): Promise<void> {
  const preset = process.env[KUBECONFIG_ENV];
  if (preset) {
    process.stderr.write(`\n[kubeop] ${KUBECONFIG_ENV}=${preset} is set: testing against that cluster, not starting one.\n`);
    return;
  }
  resolveSourcesFromTypeScript();
  await import('../runtime-check.js');
  const { startControlPlane } = await import('../control-plane.js');
  const started = Date.now();
  let plane: ControlPlane;
  try {
    plane = await startControlPlane();
  } catch (error) {
    process.stderr.write(
      `\n[kubeop] The test control plane did not start. The message below names the log files to read; ` +
        `set KUBEOP_KEEP_TEMP=1 to keep all its files.\n${(error as Error).message}\n`,
    );
    throw error;
  }
  (globalThis as Record<symbol, unknown>)[HANDLE] = plane;
  // Workers are forked after this and inherit the environment.
  process.env[KUBECONFIG_ENV] = plane.kubeconfigPath;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`\n[kubeop] control plane ready in ${seconds} s at ${plane.server} (logs: ${plane.logDir})\n`);
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
