// The conversion endpoints of handler classes and the CRD client config pointing at them: paths, Service or URL, CA.
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { describeHandlerClass } from '../src/explorer.js';
import { conversionClientConfig, conversionEndpoints, conversionPatch } from '../src/internal/webhook/conversion.js';

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

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'gadgets', kind: 'Gadget' })
class Gadgets {
  @OnReconcile() reconcile(): void {}
}

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('conversionEndpoints', () => {
  it('gives each class serving other versions one path named after its CRD, and none to the others', () => {
    const endpoints = conversionEndpoints([describeHandlerClass(Widgets), describeHandlerClass(Gadgets)]);
    expect(endpoints.map(({ crd, path }) => ({ crd, path }))).toEqual([
      { crd: 'widgets.example.kubeop.dev', path: '/convert/widgets.example.kubeop.dev' },
    ]);
    expect(endpoints[0]!.description.handlerClass).toBe(Widgets);
  });
});

describe('conversionClientConfig', () => {
  it('names the Service (port 443 unless given) with the path, and the CA bundle base64-encoded', () => {
    expect(conversionClientConfig('/convert/w.x', { service: { namespace: 'ops', name: 'op-webhook' } }, CA)).toEqual({
      service: { namespace: 'ops', name: 'op-webhook', port: 443, path: '/convert/w.x' },
      caBundle: Buffer.from(CA).toString('base64'),
    });
  });

  it('joins a URL and the path, and leaves an unknown CA bundle out (cert-manager injects it)', () => {
    expect(conversionClientConfig('/convert/w.x', { url: 'https://127.0.0.1:9443/' }, '')).toEqual({
      url: 'https://127.0.0.1:9443/convert/w.x',
    });
  });
});

describe('conversionPatch', () => {
  it('sets the webhook strategy and removes the Service when pointing at a URL', () => {
    expect(conversionPatch('/convert/w.x', { url: 'https://127.0.0.1:1' }, CA)).toEqual({
      spec: {
        conversion: {
          strategy: 'Webhook',
          webhook: {
            conversionReviewVersions: ['v1'],
            clientConfig: {
              service: null,
              url: 'https://127.0.0.1:1/convert/w.x',
              caBundle: Buffer.from(CA).toString('base64'),
            },
          },
        },
      },
    });
  });

  it('removes the URL when pointing at a Service', () => {
    const patch = conversionPatch('/convert/w.x', { service: { namespace: 'ops', name: 'op', port: 8443 } }, CA) as {
      spec: { conversion: { webhook: { clientConfig: Record<string, unknown> } } };
    };
    expect(patch.spec.conversion.webhook.clientConfig).toMatchObject({
      url: null,
      service: { namespace: 'ops', name: 'op', port: 8443, path: '/convert/w.x' },
    });
  });
});
