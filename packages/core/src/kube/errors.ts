// Errors of talking to the API server, carrying what a user needs to act on them.
import { KubeopError } from '../errors.js';

/** `details` of a Kubernetes Status: which object, and for 422 which fields. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
  /** How long the server asks the client to wait (429 while its storage initialises, overload). */
  retryAfterSeconds?: number;
}

/** The API server answered with an error status. */
export class KubeApiError extends KubeopError {
  override readonly name = 'KubeApiError';
  readonly code = 'KUBE_API_ERROR';
  constructor(
    readonly status: number,
    readonly verb: string,
    readonly path: string,
    readonly reason: string | undefined,
    readonly serverMessage: string | undefined,
    readonly details: StatusDetails | undefined = undefined,
    /** False when the body was no Kubernetes Status: another server, or kube-apiserver's plain-text 404 of an unserved group. */
    readonly isKubernetesStatus = true,
  ) {
    super(`${verb} ${path}: ${status}${reason ? ` ${reason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`);
  }

  get isForbidden(): boolean {
    return this.status === 403;
  }
  get isGone(): boolean {
    return this.status === 410;
  }
  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isConflict(): boolean {
    return this.status === 409;
  }
  get isInvalid(): boolean {
    return this.status === 422;
  }
  /** A 404 naming an object: that object does not exist. */
  get isObjectNotFound(): boolean {
    return this.status === 404 && !!this.details?.name;
  }
  /**
   * A 404 naming no object: the path itself is unknown, e.g. a custom resource not served (yet: right
   * after an API server restart, until its CRD is loaded again) or a subresource the CRD lacks.
   */
  get isPathNotFound(): boolean {
    return this.status === 404 && !this.details?.name;
  }
}

/** A 404 from a server whose /version names no Kubernetes version: the kubeconfig points at something else. */
export class NotKubernetesError extends KubeopError {
  override readonly name = 'NotKubernetesError';
  readonly code = 'NOT_KUBERNETES';
  constructor(
    readonly server: string,
    cause: KubeApiError,
  ) {
    const said = cause.serverMessage ? ` ("${cause.serverMessage.replace(/\s+/g, ' ').trim().slice(0, 80)}")` : '';
    super(
      `${server} is not a Kubernetes API server: it answered ${cause.verb} ${cause.path} with ${cause.status}${said}, and its /version names no Kubernetes version. ` +
        "Check the cluster's server in the kubeconfig, or pick the right cluster with --context.",
      { cause },
    );
  }
}

/** The API server could not be reached, or the connection broke. */
export class KubeConnectionError extends KubeopError {
  override readonly name: string = 'KubeConnectionError';
  readonly code: string = 'KUBE_UNREACHABLE';
  constructor(
    readonly verb: string,
    readonly url: string,
    /** The socket's or TLS library's code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`), when there is one. */
    readonly socketCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${verb} ${url}: cannot reach the API server${socketCode ? ` (${socketCode})` : ''}`, options);
  }
}

/**
 * The credentials of the kubeconfig's user could not be obtained or used: an exec plugin failed, a token or
 * certificate file cannot be read, a key does not parse.
 */
export class KubeCredentialError extends KubeopError {
  override readonly name = 'KubeCredentialError';
  readonly code = 'KUBE_CREDENTIALS_FAILED';
}

/**
 * The server's certificate failed verification (openssl's code in `socketCode`): the kubeconfig trusts another CA or
 * names the server by an address its certificate does not hold. Still transient, as the CA can be fixed.
 */
export class KubeTlsError extends KubeConnectionError {
  override readonly name = 'KubeTlsError';
  override readonly code = 'KUBE_TLS_UNVERIFIED';
  constructor(verb: string, url: string, code: string, options?: { cause?: unknown }) {
    super(verb, url, code, options);
    this.message =
      `${verb} ${url}: a TLS certificate problem: the certificate of ${new URL(url).origin} cannot be verified (${code}). ` +
      "Check the cluster's certificate-authority(-data) and server in the kubeconfig, or pick the right cluster with --context.";
  }
}

/** openssl's and Node's codes of a server certificate that failed verification, as undici reports them. */
export function isCertificateErrorCode(code: string | undefined): code is string {
  // ERR_SSL_* alerts are the server refusing *our* client certificate, or not speaking TLS: not this case.
  return !!code && !code.startsWith('ERR_SSL_') && /CERT|UNABLE_TO_VERIFY|SELF_SIGNED/.test(code);
}

/**
 * Whether retrying the same request later may succeed: network failures, 429, 5xx, timeouts, and a
 * resource type not served (an API server that just restarted answers 404 until its CRDs are loaded).
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof KubeConnectionError) return true;
  if (error instanceof KubeApiError) return error.status === 429 || error.status >= 500 || error.isPathNotFound;
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
