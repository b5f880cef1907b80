// Versions the scaffolded project depends on; test/packages.test.ts keeps them in step with this repository.

/** The kubeop packages are released together, at this package's version. */
export const KUBEOP_RANGE = '^0.1.0';
export const CLIENT_NODE_RANGE = '^2.0.1';
export const TYPESCRIPT_RANGE = '~5.9.3';
export const TYPES_NODE_RANGE = '^24.0.0';
