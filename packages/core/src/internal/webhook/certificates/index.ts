// Webhook serving certificates: self-managed in a Secret, or read from a folder (cert-manager); both behind one CertificateSource.
export type { CertificateSource, ServingKeyPair } from './source.js';
export { selfManagedCertificates, type SelfManagedCertificateOptions } from './self-managed.js';
export { certificatesFromDirectory, type CertificateDirectoryOptions } from './directory.js';
export { CertificateFileError, CertificateSecretError } from './errors.js';
