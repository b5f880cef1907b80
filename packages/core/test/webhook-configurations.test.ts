// The webhook configurations kubeop registers and `kubeop manifests` prints: defaults, selectors, targets.
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnMutate, OnValidate, Resource } from '@kubeop/decorators';
import { describeHandlerClass } from '../src/explorer.js';
import { webhookConfigurations } from '../src/internal/webhook/configurations.js';
import { parseLabelSelector } from '../src/internal/webhook/label-selector.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'widgets', kind: 'Widget' })
class Widgets {
  @OnValidate() check(): void {}
  @OnMutate({ failurePolicy: 'Ignore', timeout: 3 }) defaults(): void {}
}

@Resource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', labelSelector: 'app=web,tier!=db' })
class Maps {
  @OnValidate({ operations: ['DELETE'] }) check(): void {}
}

const resources = [describeHandlerClass(Widgets), describeHandlerClass(Maps)];

describe('webhookConfigurations', () => {
  it('writes the defaults, the URL target and the CA bundle', () => {
    const { validating, mutating } = webhookConfigurations({
      name: 'My Operator',
      resources,
      operatorNamespace: 'ops',
      target: { url: 'https://127.0.0.1:9443' },
      caBundle: 'PEM',
    });
    expect(validating).toMatchObject({ kind: 'ValidatingWebhookConfiguration', metadata: { name: 'my-operator' } });
    const [widgets, maps] = validating!.webhooks as Array<Record<string, unknown>>;
    expect(widgets).toEqual({
      name: 'check.widgets.example.kubeop.dev',
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      matchPolicy: 'Equivalent',
      clientConfig: {
        url: 'https://127.0.0.1:9443/validate/example.kubeop.dev/v1/widgets/check',
        caBundle: Buffer.from('PEM').toString('base64'),
      },
      rules: [
        {
          apiGroups: ['example.kubeop.dev'],
          apiVersions: ['v1'],
          resources: ['widgets'],
          operations: ['CREATE', 'UPDATE'],
          scope: 'Namespaced',
        },
      ],
    });
    expect(maps).toMatchObject({
      name: 'check.configmaps.core',
      rules: [{ apiGroups: [''], operations: ['DELETE'] }],
      namespaceSelector: {
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'ops'] }],
      },
      objectSelector: {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }],
      },
    });
    expect(mutating!.webhooks).toEqual([
      expect.objectContaining({ failurePolicy: 'Ignore', timeoutSeconds: 3, reinvocationPolicy: 'Never' }),
    ]);
  });

  it('points at a Service, polices only the watched namespace, and carries annotations', () => {
    const { validating } = webhookConfigurations({
      name: 'op',
      resources: [describeHandlerClass(Widgets)],
      operatorNamespace: 'ops',
      watchNamespace: 'apps',
      target: { service: { namespace: 'ops', name: 'op-webhook' } },
      annotations: { 'cert-manager.io/inject-ca-from': 'ops/op-webhook' },
    });
    expect(validating!.metadata).toEqual({
      name: 'op',
      annotations: { 'cert-manager.io/inject-ca-from': 'ops/op-webhook' },
    });
    expect((validating!.webhooks as unknown[])[0]).toMatchObject({
      clientConfig: {
        service: {
          namespace: 'ops',
          name: 'op-webhook',
          port: 443,
          path: '/validate/example.kubeop.dev/v1/widgets/check',
        },
      },
      namespaceSelector: { matchExpressions: [{ operator: 'In', values: ['apps'] }] },
    });
  });

  it('leaves out a configuration without webhooks', () => {
    expect(
      webhookConfigurations({
        name: 'op',
        resources: [describeHandlerClass(Maps)],
        operatorNamespace: 'o',
        target: { url: 'https://x' },
      }).mutating,
    ).toBeUndefined();
  });
});

describe('parseLabelSelector', () => {
  it('reads equality, inequality, sets and existence', () => {
    expect(parseLabelSelector('a=1, b==2,c!=3,d in (x, y),e notin (z),f,!g')).toEqual({
      matchLabels: { a: '1', b: '2' },
      matchExpressions: [
        { key: 'c', operator: 'NotIn', values: ['3'] },
        { key: 'd', operator: 'In', values: ['x', 'y'] },
        { key: 'e', operator: 'NotIn', values: ['z'] },
        { key: 'f', operator: 'Exists' },
        { key: 'g', operator: 'DoesNotExist' },
      ],
    });
  });

  it('names the part it cannot read', () => {
    expect(() => parseLabelSelector('a=1,b in x')).toThrow('cannot read "b in x"');
  });
});
