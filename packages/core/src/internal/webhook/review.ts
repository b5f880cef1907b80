// AdmissionReview v1 in and out: reading a request the API server posted, and writing the answer. Pure functions.
import type { AdmissionOperation } from '@kubeop/decorators';
import type { AdmissionUserInfo } from '../../admission.js';
import type { PatchOperation } from './json-patch.js';
import type { WebhookEndpoint } from './webhooks.js';

export const REVIEW_API_VERSION = 'admission.k8s.io/v1';

export interface ReviewRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: AdmissionOperation;
  userInfo: AdmissionUserInfo;
  object: Record<string, unknown> | null;
  oldObject: Record<string, unknown> | null;
  dryRun?: boolean;
}

/** A body that is no AdmissionReview v1 request, or one for a kind the endpoint does not handle: HTTP 400. */
export class BadReviewError extends Error {
  override readonly name = 'BadReviewError';
}

/** What the method decided. */
export type Decision =
  | { allowed: true; patch: PatchOperation[]; warnings: string[] }
  | {
      allowed: false;
      code: number;
      message: string;
      field: string | undefined;
      warnings: string[];
      /** The method failed (threw another error than Denied, or timed out) rather than denying. */
      failed?: boolean;
    };

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** Reads an AdmissionReview and checks that it is about the endpoint's resource; throws BadReviewError. */
export function parseReview(body: string, endpoint: WebhookEndpoint): ReviewRequest {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch {
    throw new BadReviewError('the body is not JSON');
  }
  const { apiVersion, kind, request } = (review ?? {}) as { apiVersion?: unknown; kind?: unknown; request?: unknown };
  if (kind !== 'AdmissionReview' || apiVersion !== REVIEW_API_VERSION)
    throw new BadReviewError(
      `expected kind AdmissionReview, apiVersion ${REVIEW_API_VERSION}; got kind ${String(kind)}, apiVersion ${String(apiVersion)}`,
    );
  const r = request as Partial<ReviewRequest> | undefined;
  if (typeof r !== 'object' || r === null) throw new BadReviewError('the AdmissionReview has no request');
  if (typeof r.uid !== 'string' || !r.uid) throw new BadReviewError('the AdmissionReview request has no uid');
  if (!OPERATIONS.has(String(r.operation)))
    throw new BadReviewError(`the AdmissionReview request has no known operation (${String(r.operation)})`);
  const { group, version, plural } = endpoint.description.resource;
  const resource = r.resource;
  if (resource?.group !== group || resource.version !== version || resource.resource !== plural)
    throw new BadReviewError(
      `the AdmissionReview is for ${describe(resource)}, but ${endpoint.path} handles ${describe({ group, version, resource: plural })}`,
    );
  const object = r.operation === 'DELETE' ? r.oldObject : r.object;
  if (typeof object !== 'object' || object === null)
    throw new BadReviewError(
      `the AdmissionReview request for ${r.operation} has no ${r.operation === 'DELETE' ? 'oldObject' : 'object'}`,
    );
  return {
    ...r,
    userInfo: r.userInfo ?? {},
    object: r.object ?? null,
    oldObject: r.oldObject ?? null,
  } as ReviewRequest;
}

function describe(resource: Partial<ReviewRequest['resource']> | undefined): string {
  if (!resource) return 'no resource';
  const { group, version, resource: plural } = resource;
  return `${String(plural)} in ${group ? `${group}/` : ''}${String(version)}`;
}

/** The AdmissionReview answer to `uid`. */
export function reviewResponse(uid: string, decision: Decision): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: decision.allowed };
  if (decision.warnings.length) response.warnings = decision.warnings;
  if (decision.allowed && decision.patch.length) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  if (!decision.allowed) {
    response.status = {
      code: decision.code,
      reason: decision.code === 403 ? 'Forbidden' : decision.code === 422 ? 'Invalid' : undefined,
      message: decision.message,
      ...(decision.field
        ? { details: { causes: [{ type: 'FieldValueInvalid', field: decision.field, message: decision.message }] } }
        : {}),
    };
  }
  return { apiVersion: REVIEW_API_VERSION, kind: 'AdmissionReview', response };
}
