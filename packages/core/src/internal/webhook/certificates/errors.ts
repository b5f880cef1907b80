// Errors of the webhook certificates: a file of the certificate folder, and the self-managed Secret.
import { KubeopError } from '../../../errors.js';

/** A file of the certificate folder (`--webhook-cert-dir`) is missing, unreadable or not what it must be. */
export class CertificateFileError extends KubeopError {
  override readonly name = 'CertificateFileError';
  readonly code = 'CERTIFICATE_FILE';
  constructor(
    /** The file's full path. */
    readonly path: string,
    /** What is wrong with it, e.g. "is missing". */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Webhook certificate file ${path} ${problem}`, options);
  }
}

/** The self-managed certificates' Secret could not be read or written, for a reason retrying will not fix. */
export class CertificateSecretError extends KubeopError {
  override readonly name = 'CertificateSecretError';
  readonly code = 'CERTIFICATE_SECRET';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
