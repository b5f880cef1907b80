// The base of the control-plane errors: a stable `code`, as @kubeop/core's KubeopError has. It cannot extend that
// class, as this part of the package works without @kubeop/core (the operator kit's errors, which need core, do).

/** Every error the control plane and the jest setup throw extends this; `code` is stable and tells the cases apart. */
export abstract class TestingError extends Error {
  abstract readonly code: string;
}

/** A call the control plane's state does not allow now: starting kube-apiserver twice, or without etcd. */
export class ControlPlaneStateError extends TestingError {
  override name = 'ControlPlaneStateError';
  readonly code = 'CONTROL_PLANE_STATE';
}

/** `eventually()` gave up: the condition did not hold before the deadline. */
export class EventuallyTimeoutError extends TestingError {
  override name = 'EventuallyTimeoutError';
  readonly code = 'EVENTUALLY_TIMEOUT';
}

/** A bad flag of the kubeop-control-plane or kubeop-local command. */
export class TestingUsageError extends TestingError {
  override name = 'TestingUsageError';
  readonly code = 'TESTING_USAGE';
}
