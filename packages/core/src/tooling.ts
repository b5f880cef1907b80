// @kubeop/core/tooling: what the build tools (@kubeop/cli) and the test kit (@kubeop/testing) use, apart from the
// author API: reading handler classes, CRD manifests and files, an operator prepared without a process around it.
import './runtime-check.js';
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './bootstrap.js';
export {
  CONVERSION_WEBHOOK_PLACEHOLDER,
  crdManifest,
  CrdNotEstablishedError,
  ensureCrd,
  type EnsureCrdOptions,
  type EnsureCrdResult,
  PERMISSIVE_SCHEMA,
  type ServedVersion,
} from './crd/crd.js';
export { firstDifference } from './crd/crd-diff.js';
export {
  crdFileName,
  defaultCrdDir,
  GeneratedCrdError,
  generatedCrdDifference,
  loadGeneratedCrd,
} from './crd/crd-files.js';
export { StructuralSchemaError, structuralProblems } from './crd/structural.js';
export { type ArgDescription, describeHandlerClass, type ResourceDescription, watchesObjects } from './explorer.js';
export type { VersionDescription } from './explorer-versions.js';
export { type ConversionReview, ConversionReviewError, convertReview } from './internal/convert/convert-review.js';
export { ConversionError, Converter } from './internal/convert/converter.js';
export { CONVERSION_DATA_ANNOTATION } from './internal/convert/stash.js';
export { KubeClient, type Query, type RequestOptions } from './kube/client.js';
export { loadKubeConfig } from './kube/config.js';
export {
  ADMISSION_API_VERSION,
  configurationName,
  type WebhookConfigurationOptions,
  type WebhookConfigurations,
  webhookConfigurations,
  type WebhookTarget,
} from './internal/webhook/configurations.js';
export { type ConversionEndpoint, conversionClientConfig, conversionEndpoints } from './internal/webhook/conversion.js';
export { Operator, prepareOperator } from './operator.js';
