// Public API of @kubeop/core.
import './runtime-check.js';
export { bootstrap, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './bootstrap.js';
export { type OperatorArgs, type LogLevel, UsageError } from './cli.js';
export { PermanentError, TemporaryError } from './errors.js';
export { describeHandlerClass, InvalidHandlerError, type ArgDescription, type ResourceDescription } from './explorer.js';
export { type Applied, type ChildObject, ResourceHandler } from './handler.js';
export { ChildObjectError } from './internal/run/apply-child.js';
export type { RunReason } from './reasons.js';
export { InvalidStatusError, StatusSubresourceMissingError, StatusWriteError } from './internal/run/status-errors.js';
export { HandlerTimeoutError } from './internal/run/supervise.js';
export { KubeConfigError, loadKubeConfig } from './kube/config.js';
export { CrdNotEstablishedError, CrdNotInstalledError, crdManifest } from './kube/crd.js';
export { KubeApiError, KubeConnectionError, KubeTlsError, NotKubernetesError } from './kube/errors.js';
export type { CustomObject, ObjectMeta } from './kube/objects.js';
export type { Logger } from './logging.js';
export { Operator, type OperatorOptions, prepareOperator } from './operator.js';
