// @kubeop/testing/operator: run an operator in a test (in-process or as a process), install its CRD, drive its objects.
import '../runtime-check.js';
export { installCrd, type InstallCrdOptions } from './crd.js';
export { eventOn, eventsOn } from './events.js';
export { objects, type ObjectHelpers } from './objects.js';
export { KitUsageError, RoundTripError } from './kit-errors.js';
export { ObjectRequestError } from './request-error.js';
export {
  killOperatorProcesses,
  type OperatorProcess,
  spawnOperator,
  type SpawnOperatorOptions,
} from './operator-process.js';
export {
  parseLogs,
  runOperator,
  type RunningOperator,
  type RunOperatorOptions,
  stopAllOperators,
} from './run-operator.js';
export { assertRoundTrips, checkRoundTrips, type RoundTripFailure, type RoundTripOptions } from './round-trip.js';
export { serviceAccountKubeconfig } from './service-account.js';
export { operatorSuite, type OperatorSuiteOptions, type SuiteHooks } from './suite.js';
export type { HandlerClass, ResourceType, SpecOf, StatusOf, StoredObject } from './types.js';
