// Public API of @kubeop/cli, for build scripts that want the manifests without the command line.
export { checkCrds, crdJson, crdYaml } from './crd/command.js';
export { type GeneratedCrd, generateCrds } from './crd/generate.js';
export { CliError } from './errors.js';
export { loadHandlerClasses } from './manifests/load-handlers.js';
export { operatorManifests, type ManifestOptions } from './manifests/manifests.js';
export { operatorRules, type OperatorRules, type PolicyRule } from './manifests/rbac.js';
