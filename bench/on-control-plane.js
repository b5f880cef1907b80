// Runs a benchmark on a control plane of its own, stops the plane whatever happens, and exits 0 or 1 (a bench's
// servers and clients must not keep the process alive once its figures are printed).
import { startControlPlane } from '@kubeop/testing';

/** `bench(plane)` prints its figures; its failure is printed and exits 1. */
export function onControlPlane(bench, options = {}) {
  withControlPlane(bench, options).then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** Runs `bench(plane)` on a plane started for it and stopped after, for a bench that needs planes one after another. */
export async function withControlPlane(bench, options = {}) {
  const plane = await startControlPlane(options);
  try {
    await bench(plane);
  } finally {
    await plane.stop();
  }
}
