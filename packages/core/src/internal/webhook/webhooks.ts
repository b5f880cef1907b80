// The webhook endpoints of the handler classes: one per @OnValidate or @OnMutate method, with its path and name.
import type { WebhookRecord } from '@kubeop/decorators';
import { type ResourceDescription, kebabCase } from '../../explorer.js';

export interface WebhookEndpoint {
  description: ResourceDescription;
  record: WebhookRecord;
  /** The URL path the API server posts to, e.g. `/validate/example.kubeop.dev/v1/widgets/check-size`. */
  path: string;
  /** The webhook's name in its configuration (a DNS subdomain of three or more labels), e.g. `check-size.widgets.example.kubeop.dev`. */
  name: string;
  /** `Class.method`, as logs and denial messages name it. */
  handler: string;
}

export function webhookEndpoints(descriptions: ResourceDescription[]): WebhookEndpoint[] {
  return descriptions.flatMap((description) =>
    description.webhooks.map((record) => {
      const { group, version, plural } = description.resource;
      const method = kebabCase(String(record.method)).replace(/[^a-z0-9-]/g, '-');
      return {
        description,
        record,
        path: `/${record.type}/${group || 'core'}/${version}/${plural}/${method}`,
        name: `${method}.${plural}.${group || 'core'}`,
        handler: `${description.handlerClass.name}.${String(record.method)}`,
      };
    }),
  );
}
