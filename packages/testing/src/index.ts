// @kubeop/testing: a real etcd + kube-apiserver on loopback for tests, like controller-runtime's envtest.
import './runtime-check.js';
export {
  binaryCacheDir,
  MissingBinaryError,
  resolveBinaries,
  type Binaries,
  type ResolveBinariesOptions,
} from './binaries.js';
export { BinaryBuildError, GoToolchainError } from './build.js';
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
export type { ApiServerTracingOptions } from './apiserver-tracing.js';
export { generateCertificates, type CertificateFiles, type Certificates } from './certs.js';
export { EtcdRequestError } from './etcd.js';
export { ControlPlaneStateError, EventuallyTimeoutError, TestingError, TestingUsageError } from './errors.js';
export { eventually } from './eventually.js';
export { startFaultProxy, type FaultProxy } from './fault-proxy.js';
export { createTestNamespace, TEST_NAMESPACE_LABEL } from './namespace.js';
export { CONTEXT_NAME } from './kubeconfig.js';
export type { ExitStatus } from './process.js';
export { ProcessExitedError, StartTimeoutError } from './wait.js';
export {
  TEST_KUBECONFIG_ENV,
  testEnvironment,
  TestEnvironmentNotConfiguredError,
  type TestEnvironment,
  type TestEnvironmentOptions,
} from './env.js';
export { ETCD_VERSION, KUBERNETES_VERSION } from './versions.js';
