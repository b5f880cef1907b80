// STAND-IN until the certs branch merges: the interface the webhook server codes against, and its two sources.
export type { CertificateSource, ServingKeyPair } from './source.js';
export { certificatesFromDirectory } from './directory.js';
export { selfManagedCertificates } from './self-managed.js';
