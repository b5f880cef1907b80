// kubeop manifests for a class serving other versions: the webhook Service and port, the CRD's conversion pointing at
// the Service (with cert-manager, its CA injected), and RBAC to patch that CRD only.
import { describe, expect, it } from '@jest/globals';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { operatorManifests } from '../src/index.js';
import type { Manifest } from '../src/manifests/manifests.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v2', plural: 'widgets', kind: 'Widget' })
class Widgets {
  @OnReconcile() reconcile(): void {}
  @ConvertFrom('v1') fromV1(o: object): object {
    return o;
  }
  @ConvertTo('v1') toV1(o: object): object {
    return o;
  }
}

const base = {
  name: 'widget-operator',
  operatorNamespace: 'widget-system',
  image: 'example.com/op:1',
  replicas: 2,
  leaderElect: true,
  watchNamespace: undefined,
  createCrd: false,
  updateCrd: false,
};
const find = (manifests: Manifest[], kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);
/** The value at `keys` under `value`, or undefined. */
const dig = (value: unknown, ...keys: Array<string | number>): unknown =>
  keys.reduce<unknown>((at, key) => (at as Record<string | number, unknown> | undefined)?.[key], value);

describe('operatorManifests with other served versions', () => {
  const described = [describeHandlerClass(Widgets)];

  it('emits the webhook Service and port, and points the CRD at the Service; no admission configurations', () => {
    const manifests = operatorManifests(described, base);
    const crd = find(manifests, 'CustomResourceDefinition', 'widgets.example.kubeop.dev');
    expect((dig(crd, 'spec', 'versions') as Array<{ name: string }>).map((v) => v.name)).toEqual(['v2', 'v1']);
    expect(dig(crd, 'spec', 'conversion')).toEqual({
      strategy: 'Webhook',
      webhook: {
        conversionReviewVersions: ['v1'],
        clientConfig: {
          service: {
            namespace: 'widget-system',
            name: 'widget-operator-webhook',
            port: 443,
            path: '/convert/widgets.example.kubeop.dev',
          },
        },
      },
    });
    expect(dig(crd, 'metadata', 'annotations')).toBeUndefined();
    expect(dig(find(manifests, 'Service', 'widget-operator-webhook'), 'spec', 'ports')).toEqual([
      { name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' },
    ]);
    const container = dig(
      find(manifests, 'Deployment', 'widget-operator'),
      'spec',
      'template',
      'spec',
      'containers',
      0,
    );
    expect(dig(container, 'args')).toEqual(
      expect.arrayContaining(['--webhook-service=widget-system/widget-operator-webhook', '--install-webhooks']),
    );
    expect(dig(container, 'ports')).toContainEqual({ name: 'webhook', containerPort: 9443, protocol: 'TCP' });
    expect(manifests.map((m) => m.kind)).not.toContain('ValidatingWebhookConfiguration');
    expect(manifests.map((m) => m.kind)).not.toContain('MutatingWebhookConfiguration');
  });

  it('lets the self-managed operator patch its own CRD only, and keep its certificate Secret', () => {
    const manifests = operatorManifests(described, base);
    expect(dig(find(manifests, 'ClusterRole', 'widget-operator-webhook'), 'rules')).toEqual([
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['patch'],
        resourceNames: ['widgets.example.kubeop.dev'],
      },
    ]);
    expect(dig(find(manifests, 'ClusterRoleBinding', 'widget-operator-webhook'), 'roleRef', 'name')).toBe(
      'widget-operator-webhook',
    );
    expect(dig(find(manifests, 'Role', 'widget-operator-webhook'), 'rules')).toContainEqual(
      expect.objectContaining({ resources: ['secrets'], resourceNames: ['widget-operator-webhook-tls'] }),
    );
  });

  it('with cert-manager: the CA injected into the CRD, no CRD patch unless the operator owns its CRDs', () => {
    const manifests = operatorManifests(described, { ...base, certManager: true });
    const crd = find(manifests, 'CustomResourceDefinition', 'widgets.example.kubeop.dev');
    expect(dig(crd, 'metadata', 'annotations')).toEqual({
      'cert-manager.io/inject-ca-from': 'widget-system/widget-operator-webhook',
    });
    expect(dig(crd, 'spec', 'conversion', 'webhook', 'clientConfig')).not.toHaveProperty('caBundle');
    expect(find(manifests, 'ClusterRole', 'widget-operator-webhook')).toBeUndefined();
    expect(find(manifests, 'Role', 'widget-operator-webhook')).toBeUndefined();
    expect(find(manifests, 'Certificate', 'widget-operator-webhook')).toBeDefined();

    const owning = operatorManifests(described, { ...base, certManager: true, updateCrd: true });
    expect(dig(find(owning, 'ClusterRole', 'widget-operator-webhook'), 'rules')).toEqual([
      expect.objectContaining({ verbs: ['patch'], resourceNames: ['widgets.example.kubeop.dev'] }),
    ]);
  });
});
