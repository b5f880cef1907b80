// ConversionReview v1: the API server's request to convert objects, answered by the handler class's converters.
import { KubeopError } from '../../errors.js';
import type { ResourceDescription } from '../../explorer.js';
import type { KubeObject } from '../../kube/objects.js';
import { ConversionError, Converter } from './converter.js';

/** `apiextensions.k8s.io/v1` ConversionReview, request or response. */
export interface ConversionReview {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'ConversionReview';
  request?: { uid: string; desiredAPIVersion: string; objects: KubeObject[] };
  response?: {
    uid: string;
    convertedObjects: KubeObject[];
    result: { status: 'Success' } | { status: 'Failure'; message: string };
  };
}

/** The body is not a ConversionReview v1 request: the webhook server answers HTTP 400 with the message. */
export class ConversionReviewError extends KubeopError {
  override readonly name = 'ConversionReviewError';
  readonly code = 'CONVERSION_REVIEW_INVALID';
}

const converters = new WeakMap<ResourceDescription, Converter>();

/**
 * Answers a ConversionReview v1 request for the resource of `description`: every object converted to the
 * desiredAPIVersion, or none and the whole request failed with a message naming the converter and the object (the
 * API server passes it to the client). Pure: no I/O, no clock. Throws ConversionReviewError for a body that is not a
 * ConversionReview v1 request.
 */
export function convertReview(review: unknown, description: ResourceDescription): ConversionReview {
  const request = requestOf(review);
  let converter = converters.get(description);
  if (!converter) converters.set(description, (converter = new Converter(description)));
  const respond = (response: Omit<NonNullable<ConversionReview['response']>, 'uid'>): ConversionReview => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    response: { uid: request.uid, ...response },
  });
  const slash = request.desiredAPIVersion.lastIndexOf('/');
  const group = request.desiredAPIVersion.slice(0, Math.max(slash, 0));
  const version = request.desiredAPIVersion.slice(slash + 1);
  if (group !== converter.group)
    return respond({
      convertedObjects: [],
      result: {
        status: 'Failure',
        message: `desiredAPIVersion ${request.desiredAPIVersion} is not of ${converter.group}, which ${description.handlerClass.name} converts`,
      },
    });
  try {
    return respond({
      convertedObjects: request.objects.map((object) => converter.convert(object, version)),
      result: { status: 'Success' },
    });
  } catch (error) {
    if (!(error instanceof ConversionError)) throw error;
    return respond({ convertedObjects: [], result: { status: 'Failure', message: error.message } });
  }
}

function requestOf(review: unknown): NonNullable<ConversionReview['request']> {
  const body = review as Partial<ConversionReview> | undefined;
  if (typeof body !== 'object' || body === null || body.kind !== 'ConversionReview')
    throw new ConversionReviewError('the body is not a ConversionReview');
  if (body.apiVersion !== 'apiextensions.k8s.io/v1')
    throw new ConversionReviewError(
      `ConversionReview ${String(body.apiVersion)} is not supported: the CRD must list conversionReviewVersions: [v1]`,
    );
  const request = body.request;
  if (
    typeof request?.uid !== 'string' ||
    typeof request.desiredAPIVersion !== 'string' ||
    !Array.isArray(request.objects)
  )
    throw new ConversionReviewError('the ConversionReview has no request with uid, desiredAPIVersion and objects');
  return request;
}
