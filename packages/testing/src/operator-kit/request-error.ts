// A failed request of the kit's object helpers, told by the API server's own Status instead of client-node's
// "HTTP-Code: 422 Message: Unknown API Status Code!" with the Status buried in an escaped body.
import { ApiException } from '@kubernetes/client-node';
import { KubeopError } from '@kubeop/core';

export class ObjectRequestError extends KubeopError {
  override readonly name = 'ObjectRequestError';
  readonly code = 'OBJECT_REQUEST_FAILED';
  /** What was asked, e.g. `create widgets.example.kubeop.dev w1 in namespace test-abc`. */
  readonly request: string;
  /** The HTTP status code, e.g. 422 (`status`, as on core's KubeApiError; client-node's ApiException calls it `code`). */
  readonly status: number;
  /** The Status reason, e.g. `Invalid`, `AlreadyExists`; undefined when the answer was no Status. */
  readonly reason: string | undefined;
  /** The Status message, e.g. `Widget.example.kubeop.dev "w1" is invalid: spec.size: ...`, else the raw body. */
  readonly serverMessage: string;

  constructor(
    request: string,
    answer: { status: number; reason: string | undefined; serverMessage: string },
    options: { cause: unknown },
  ) {
    super(`${request}: ${answer.status}${answer.reason ? ` ${answer.reason}` : ''}: ${answer.serverMessage}`, options);
    this.request = request;
    this.status = answer.status;
    this.reason = answer.reason;
    this.serverMessage = answer.serverMessage;
  }
}

/** Runs `call`, turning client-node's ApiException into an ObjectRequestError naming `request`; others pass as they are. */
export async function told<T>(request: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const { code, body } = error as ApiException<unknown>;
    const status = statusOf(body);
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const serverMessage = status?.message ?? (raw?.trim().slice(0, 500) || 'no message');
    throw new ObjectRequestError(request, { status: code, reason: status?.reason, serverMessage }, { cause: error });
  }
}

/** The body as a Kubernetes Status: client-node hands over the response text, or (for some codes) nothing. */
function statusOf(body: unknown): { reason?: string; message?: string } | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const status = value as { kind?: unknown; reason?: unknown; message?: unknown } | undefined;
  if (status?.kind !== 'Status') return undefined;
  return {
    reason: typeof status.reason === 'string' ? status.reason : undefined,
    message: typeof status.message === 'string' ? status.message : undefined,
  };
}
