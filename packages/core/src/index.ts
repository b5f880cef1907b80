// Public API of @kubeop/core.
import './runtime-check.js';
export { bootstrap, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './bootstrap.js';
export { type OperatorArgs, type LogLevel, UsageError } from './cli.js';
export { PermanentError, TemporaryError } from './errors.js';
export {
  describeHandlerClass,
  InvalidHandlerError,
  type ArgDescription,
  type ResourceDescription,
} from './explorer.js';
export type { VersionDescription } from './explorer-versions.js';
export { type Applied, type ChildObject, ResourceHandler } from './handler.js';
export { ChildObjectError } from './internal/run/apply-child.js';
export { type ConversionReview, ConversionReviewError, convertReview } from './internal/convert/convert-review.js';
export { ConversionError, Converter } from './internal/convert/converter.js';
export { CONVERSION_DATA_ANNOTATION } from './internal/convert/stash.js';
export type { RunReason } from './reasons.js';
export { InvalidStatusError, StatusSubresourceMissingError, StatusWriteError } from './internal/run/status-errors.js';
export { HandlerTimeoutError } from './internal/run/supervise.js';
export { KubeConfigError, loadKubeConfig } from './kube/config.js';
export {
  CONVERSION_WEBHOOK_PLACEHOLDER,
  CrdNotEstablishedError,
  CrdNotInstalledError,
  crdManifest,
  ensureCrd,
  type EnsureCrdOptions,
  type EnsureCrdResult,
  PERMISSIVE_SCHEMA,
  type ServedVersion,
} from './kube/crd.js';
export { firstDifference } from './kube/crd-diff.js';
export {
  crdFileName,
  defaultCrdDir,
  GeneratedCrdError,
  generatedCrdDifference,
  loadGeneratedCrd,
} from './kube/crd-files.js';
export { StructuralSchemaError, structuralProblems } from './kube/structural.js';
export { KubeClient, type Query, type RequestOptions } from './kube/client.js';
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
export { Operator, type OperatorOptions, prepareOperator } from './operator.js';
export { ResourceNotServedError } from './resource-setup.js';
