// The base of the control-plane errors: a stable `code`, as @kubeop/core's KubeopError has. It cannot extend that
// class, as this part of the package works without @kubeop/core (the operator kit's errors, which need core, do).

/** Every error the control plane and the jest setup throw extends this; `code` is stable and tells the cases apart. */
export abstract class TestingError extends Error {
  abstract readonly code: string;
}
