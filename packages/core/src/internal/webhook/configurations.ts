// The ValidatingWebhookConfiguration and MutatingWebhookConfiguration of an operator, as plain JSON: what
// --install-webhooks applies and `kubeop manifests` prints. Pure.
import type { ResourceDescription } from '../../explorer.js';
import { parseLabelSelector } from './label-selector.js';
import { webhookEndpoints } from './webhooks.js';

export const ADMISSION_API_VERSION = 'admissionregistration.k8s.io/v1';

/** Where the API server sends admission requests. */
export type WebhookTarget =
  | { service: { namespace: string; name: string; port?: number } }
  /** `https://127.0.0.1:9443`: a local control plane calling the operator on loopback, as envtest does. */
  | { url: string };

export interface WebhookConfigurationOptions {
  /** The operator's name: both configurations are named after it. */
  name: string;
  resources: ResourceDescription[];
  /** The operator's own namespace, left out (with kube-system) for built-in kinds, so it cannot lock out its own Pods. */
  operatorNamespace: string;
  /** Only this namespace is policed (the operator's `--namespace`); defaults to all. */
  watchNamespace?: string;
  target: WebhookTarget;
  /** PEM of the CAs the API server trusts for the webhook; left out when cert-manager injects it. */
  caBundle?: string;
  /** Annotations of both configurations (`cert-manager.io/inject-ca-from`). */
  annotations?: Record<string, string>;
}

export interface WebhookConfigurations {
  validating: Record<string, unknown> | undefined;
  mutating: Record<string, unknown> | undefined;
}

/** A configuration's name: the operator name as a DNS subdomain. */
export function configurationName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 253) || 'kubeop'
  );
}

export function webhookConfigurations(options: WebhookConfigurationOptions): WebhookConfigurations {
  const endpoints = webhookEndpoints(options.resources);
  const entries = (type: 'validate' | 'mutate') =>
    endpoints
      .filter((endpoint) => endpoint.record.type === type)
      .map(({ description, record, path, name }) => {
        const { resource } = description;
        const namespaceSelector = namespaceSelectorFor(!resource.custom, options);
        return {
          name,
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: record.failurePolicy,
          timeoutSeconds: record.timeout,
          matchPolicy: 'Equivalent',
          ...(type === 'mutate' ? { reinvocationPolicy: 'Never' } : {}),
          clientConfig: {
            ...('service' in options.target
              ? { service: { port: 443, ...options.target.service, path } }
              : { url: `${options.target.url.replace(/\/$/, '')}${path}` }),
            ...(options.caBundle ? { caBundle: Buffer.from(options.caBundle).toString('base64') } : {}),
          },
          rules: [
            {
              apiGroups: [resource.group],
              apiVersions: [resource.version],
              resources: [resource.plural],
              operations: [...record.operations],
              scope: resource.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
            },
          ],
          ...(namespaceSelector && resource.scope !== 'Cluster' ? { namespaceSelector } : {}),
          ...(resource.labelSelector ? { objectSelector: parseLabelSelector(resource.labelSelector) } : {}),
        };
      });
  const configuration = (kind: string, webhooks: unknown[]) =>
    webhooks.length
      ? {
          apiVersion: ADMISSION_API_VERSION,
          kind,
          metadata: {
            name: configurationName(options.name),
            ...(options.annotations ? { annotations: { ...options.annotations } } : {}),
          },
          webhooks,
        }
      : undefined;
  return {
    validating: configuration('ValidatingWebhookConfiguration', entries('validate')),
    mutating: configuration('MutatingWebhookConfiguration', entries('mutate')),
  };
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function namespaceSelectorFor(builtIn: boolean, options: WebhookConfigurationOptions) {
  const expressions: Array<{ key: string; operator: string; values: string[] }> = [];
  if (options.watchNamespace)
    expressions.push({ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [options.watchNamespace] });
  if (builtIn)
    expressions.push({
      key: NAMESPACE_NAME_LABEL,
      operator: 'NotIn',
      values: [...new Set(['kube-system', options.operatorNamespace])],
    });
  return expressions.length ? { matchExpressions: expressions } : undefined;
}
