// STAND-IN until the certs branch merges: what a source of serving certificates offers the webhook server.

/** A serving key and certificate chain, PEM. */
export interface ServingKeyPair {
  key: string;
  cert: string;
}

export interface CertificateSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Throws before start() resolved. */
  current(): ServingKeyPair;
  /** PEM of every CA the API server must trust now. */
  caBundle(): string;
  /** Serving certificate expiry. */
  notAfter(): Date;
  /** Called after the key pair or the CA bundle changed; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}
