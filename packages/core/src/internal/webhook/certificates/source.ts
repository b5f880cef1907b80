// What the webhook server needs from a certificate provider: the serving pair, the CA bundle, and news of changes.

/** A serving key pair, PEM encoded. */
export interface ServingKeyPair {
  key: string;
  cert: string;
}

export interface CertificateSource {
  /** Resolves once a valid key pair is available (loaded, found in the Secret, or issued). */
  start(): Promise<void>;
  /** Stops watching/renewing. Idempotent. */
  stop(): Promise<void>;
  /** The current serving key pair. Throws if start() has not resolved. */
  current(): ServingKeyPair;
  /** PEM bundle of every CA the API server must trust now (old and new across a CA rotation); '' when unknown (external mode without ca.crt). */
  caBundle(): string;
  /** Expiry of the current serving certificate. */
  notAfter(): Date;
  /** Called after current() or caBundle() changed. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** The listeners of one source; a listener that throws is logged by the caller's `onError` and does not stop the others. */
export class ChangeListeners {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly onError: (error: unknown) => void) {}

  add(listener: () => void): () => void {
    // Wrapped so that the same function added twice is called twice and removed once per unsubscribe.
    const entry = () => listener();
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
