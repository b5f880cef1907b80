// The webhooks' share of `kubeop manifests`: the two admission configurations, the CRDs' conversion client config, a
// Service in front of the webhook port, the port and flags on the Deployment, certificates (self-managed Secret, or
// cert-manager's Certificate and Issuer) and RBAC narrowed to the operator's own configurations, CRDs and Secret.
import {
  configurationName,
  conversionClientConfig,
  conversionEndpoints,
  type ResourceDescription,
  webhookConfigurations,
} from '@kubeop/core/tooling';
import type { PolicyRule } from './rbac.js';

export const WEBHOOK_PORT = 9443;
/** Where cert-manager's Secret is mounted in cert-manager mode (controller-runtime's default folder). */
export const CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';

type Manifest = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string } };

export interface WebhookManifestOptions {
  name: string;
  operatorNamespace: string;
  watchNamespace: string | undefined;
  /** Certificates from cert-manager (a Certificate, an Issuer, the inject-ca-from annotation) instead of self-managed. */
  certManager: boolean;
  /** The operator runs with --create-crd or --update-crd (it then points its CRDs' conversion webhooks at itself too). */
  ownsCrds: boolean;
  /** The Deployment's pod labels, for the Service's selector. */
  podLabels: Record<string, string>;
}

export interface WebhookManifests {
  /** Configurations, Service, cert-manager objects and RBAC. */
  manifests: Manifest[];
  /** Adds the webhook port, flags and (cert-manager) the mounted Secret to the operator's Deployment. */
  patchDeployment(deployment: Record<string, unknown>): void;
  /** Points the CRD of a class serving other versions at the webhook Service (with cert-manager: its CA injected). */
  patchCrd(crd: Record<string, unknown>): void;
}

/** Admission webhooks, or other served versions (conversion goes through the same server). */
export function hasWebhooks(descriptions: ResourceDescription[]): boolean {
  return descriptions.some((d) => d.webhooks.length > 0) || conversionEndpoints(descriptions).length > 0;
}

export function webhookManifests(descriptions: ResourceDescription[], o: WebhookManifestOptions): WebhookManifests {
  const namespace = o.operatorNamespace;
  const service = `${o.name}-webhook`;
  const secret = `${configurationName(o.name)}-webhook-tls`;
  const configName = configurationName(o.name);
  const configurations = webhookConfigurations({
    name: o.name,
    resources: descriptions,
    operatorNamespace: namespace,
    watchNamespace: o.watchNamespace,
    target: { service: { namespace, name: service, port: 443 } },
    ...(o.certManager ? { annotations: { 'cert-manager.io/inject-ca-from': `${namespace}/${service}` } } : {}),
  });
  const conversions = conversionEndpoints(descriptions);
  const manifests: Manifest[] = [configurations.validating, configurations.mutating].filter(
    (c): c is Manifest => c !== undefined,
  );
  manifests.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service, namespace },
    spec: {
      selector: o.podLabels,
      ports: [{ name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' }],
    },
  });
  const dnsNames = [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
  if (o.certManager) {
    const issuer = `${o.name}-selfsigned`;
    manifests.push(
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: { name: issuer, namespace },
        spec: { selfSigned: {} },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: service, namespace },
        spec: { secretName: secret, dnsNames, issuerRef: { kind: 'Issuer', name: issuer } },
      },
    );
  }
  // The running operator patches its CRDs' client config (with the CA bundle) under --install-webhooks, --create-crd
  // and --update-crd; with cert-manager only the latter two are on and its CA injector fills the bundle in.
  const patchedCrds = !o.certManager || o.ownsCrds ? conversions.map((c) => c.crd) : [];
  manifests.push(
    ...webhookRbac(o.name, namespace, configName, o.certManager ? undefined : secret, configurations, patchedCrds),
  );
  const byCrd = new Map(conversions.map((c) => [c.crd, c]));
  return {
    manifests,
    patchCrd(crd) {
      const conversion = byCrd.get((crd.metadata as { name: string }).name);
      if (!conversion) return;
      const spec = crd.spec as Record<string, unknown>;
      spec.conversion = {
        strategy: 'Webhook',
        webhook: {
          conversionReviewVersions: ['v1'],
          clientConfig: conversionClientConfig(conversion.path, { service: { namespace, name: service, port: 443 } }),
        },
      };
      if (o.certManager) {
        const metadata = crd.metadata as { annotations?: Record<string, string> };
        metadata.annotations = { ...metadata.annotations, 'cert-manager.io/inject-ca-from': `${namespace}/${service}` };
      }
    },
    patchDeployment(deployment) {
      const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
      const container = (pod.containers as Array<Record<string, unknown>>)[0]!;
      (container.args as string[]).push(
        `--webhook-bind-address=:${WEBHOOK_PORT}`,
        `--webhook-service=${namespace}/${service}`,
        `--operator-namespace=${namespace}`,
        ...(o.certManager ? [`--webhook-cert-dir=${CERT_DIR}`] : ['--install-webhooks']),
      );
      (container.ports as unknown[]).push({ name: 'webhook', containerPort: WEBHOOK_PORT, protocol: 'TCP' });
      if (o.certManager) {
        container.volumeMounts = [{ name: 'webhook-certs', mountPath: CERT_DIR, readOnly: true }];
        pod.volumes = [{ name: 'webhook-certs', secret: { secretName: secret } }];
      }
    },
  };
}

/**
 * What --install-webhooks, the CRDs' conversion client config and the self-managed Secret need. `create` cannot be
 * narrowed by name (the API server authorizes it before the object has one); everything else is narrowed to the
 * operator's own objects. Without `secret` (cert-manager) only the CRD patch, if any.
 */
function webhookRbac(
  name: string,
  namespace: string,
  configName: string,
  secret: string | undefined,
  configurations: ReturnType<typeof webhookConfigurations>,
  crds: string[],
): Manifest[] {
  const kinds = secret
    ? [
        ...(configurations.validating ? ['validatingwebhookconfigurations'] : []),
        ...(configurations.mutating ? ['mutatingwebhookconfigurations'] : []),
      ]
    : [];
  const group = 'admissionregistration.k8s.io';
  const clusterRules: PolicyRule[] = [
    ...(kinds.length
      ? [
          { apiGroups: [group], resources: kinds, verbs: ['create'] },
          { apiGroups: [group], resources: kinds, verbs: ['get', 'patch', 'update'], resourceNames: [configName] },
        ]
      : []),
    // A merge patch of spec.conversion: the client config and CA bundle of its own CRDs only.
    ...(crds.length
      ? [
          {
            apiGroups: ['apiextensions.k8s.io'],
            resources: ['customresourcedefinitions'],
            verbs: ['patch'],
            resourceNames: crds,
          },
        ]
      : []),
  ];
  const roleName = `${name}-webhook`;
  const subject = { kind: 'ServiceAccount', name, namespace };
  const rbac = 'rbac.authorization.k8s.io/v1';
  const manifests: Manifest[] = [];
  if (clusterRules.length)
    manifests.push(
      { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: roleName }, rules: clusterRules },
      {
        apiVersion: rbac,
        kind: 'ClusterRoleBinding',
        metadata: { name: roleName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
        subjects: [subject],
      },
    );
  if (secret) {
    const secretRules: PolicyRule[] = [
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      {
        apiGroups: [''],
        resources: ['secrets'],
        verbs: ['get', 'list', 'watch', 'update', 'patch'],
        resourceNames: [secret],
      },
    ];
    manifests.push(
      { apiVersion: rbac, kind: 'Role', metadata: { name: roleName, namespace }, rules: secretRules },
      {
        apiVersion: rbac,
        kind: 'RoleBinding',
        metadata: { name: roleName, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
        subjects: [subject],
      },
    );
  }
  return manifests;
}
