// Public API of @kubeop/core for operator authors; what only the build tools and the test kit use is in ./tooling.ts.
import './runtime-check.js';
export { bootstrap } from './bootstrap.js';
export { type LogLevel, type OperatorArgs, UsageError } from './cli.js';
export { KubeopError, PermanentError, TemporaryError } from './errors.js';
export { InvalidHandlerError } from './explorer.js';
export { type AdmissionRequest, type AdmissionUserInfo, Denied, type DeniedOptions } from './admission.js';
export { type Applied, type ChildObject, ResourceHandler } from './handler.js';
export { ChildObjectError } from './internal/run/apply-child.js';
export { InvalidStatusError, StatusSubresourceMissingError, StatusWriteError } from './internal/run/status-errors.js';
export { HandlerTimeoutError } from './internal/run/supervise.js';
export { CrdNotInstalledError } from './crd/crd.js';
export { KubeConfigError } from './kube/config.js';
export {
  KubeApiError,
  KubeConnectionError,
  KubeCredentialError,
  KubeTlsError,
  NotKubernetesError,
} from './kube/errors.js';
export {
  type ListOptions,
  ObjectClient,
  type ObjectReference,
  type ResourceInfo,
  UnknownKindError,
} from './kube/object-client.js';
export type { CustomObject, KubeObject, ObjectMeta } from './kube/objects.js';
export type { Logger } from './logging.js';
export type { OperatorOptions } from './operator.js';
export { NOT_PAUSED_REASON, PAUSED_ANNOTATION, PAUSED_CONDITION, PAUSED_REASON, PAUSED_VALUE } from './pause.js';
export type { RunReason } from './reasons.js';
export { NamespaceNotFoundError } from './namespace-check.js';
export { ResourceNotServedError } from './resource-setup.js';
