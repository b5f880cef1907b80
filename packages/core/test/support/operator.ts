// Core's tests run operators through @kubeop/testing's public operator kit; these are the names they import.
import type { StoredObject } from '@kubeop/testing/operator';

export {
  eventOn,
  eventsOn,
  installCrd,
  objects,
  operatorSuite,
  parseLogs,
  runOperator,
  type RunningOperator,
  stopAllOperators,
} from '@kubeop/testing/operator';

/** An object of the tests' resources as the server returns it. */
export type TestObject = StoredObject;
