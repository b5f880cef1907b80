// The conversion webhook's endpoints (one per custom resource serving other versions) and the CRD client config that
// points the API server at them. Pure.
import type { ResourceDescription } from '../../explorer.js';
import { fullName } from '../../kube/resource.js';
import type { WebhookTarget } from './configurations.js';

export interface ConversionEndpoint {
  description: ResourceDescription;
  /** The CRD's name, `<plural>.<group>`. */
  crd: string;
  /** The URL path the API server posts ConversionReviews to: `/convert/<plural>.<group>`. */
  path: string;
}

export function conversionEndpoints(descriptions: ResourceDescription[]): ConversionEndpoint[] {
  return descriptions
    .filter((description) => description.resource.custom && description.versions.length > 0)
    .map((description) => {
      const crd = fullName(description.resource);
      return { description, crd, path: `/convert/${crd}` };
    });
}

/**
 * `spec.conversion.webhook.clientConfig` of the CRD: the Service (port 443 unless given) or the URL, with the path of
 * the resource's endpoint, and `caBundle` (PEM, sent base64) when known. Left out when empty: cert-manager's CA
 * injector fills it in from the `cert-manager.io/inject-ca-from` annotation.
 */
export function conversionClientConfig(
  path: string,
  target: WebhookTarget,
  caBundle?: string,
): Record<string, unknown> {
  return {
    ...('service' in target
      ? { service: { port: 443, ...target.service, path } }
      : { url: `${target.url.replace(/\/$/, '')}${path}` }),
    ...(caBundle ? { caBundle: Buffer.from(caBundle).toString('base64') } : {}),
  };
}

/**
 * A JSON merge patch of the CRD's `spec.conversion`: the webhook strategy with the client config above. A URL
 * removes a Service set before and the reverse (the API server refuses both); an unknown CA bundle keeps the one there.
 */
export function conversionPatch(path: string, target: WebhookTarget, caBundle: string): Record<string, unknown> {
  const clientConfig = {
    ...('service' in target ? { url: null } : { service: null }),
    ...conversionClientConfig(path, target, caBundle),
  };
  return {
    spec: { conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig } } },
  };
}
