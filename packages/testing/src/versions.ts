// The Kubernetes and etcd versions this package builds; they must match the go.mod files under go/ (a unit test checks).
export const KUBERNETES_VERSION = 'v1.37.2';
export const ETCD_VERSION = 'v3.6.16';

/** The oldest Go that can build both modules (their go.mod files say `go 1.26.0`). */
export const MIN_GO_VERSION = '1.26';
