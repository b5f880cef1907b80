// Runs a benchmark on a control plane of its own, stops the plane whatever happens, and exits 0 or 1 (a bench's
// servers and clients must not keep the process alive once its figures are printed).
import { startControlPlane } from '@kubeop/testing';

/** `bench(plane)` prints its figures; its failure is printed and exits 1. */
export function onControlPlane(bench, options = {}) {
  const run = async () => {
    const plane = await startControlPlane(options);
    try {
      await bench(plane);
    } finally {
      await plane.stop();
    }
  };
  run().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
