// @ConvertFrom and @ConvertTo record one converter each; defineResource's `versions` records the same pair.
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { CONVERSIONS_KEY, ConvertFrom, ConvertTo, defineResource } from '@kubeop/decorators';

describe('@ConvertFrom and @ConvertTo', () => {
  it('record the direction, version and method, not deprecated by default', () => {
    class Handler {
      @ConvertFrom('v1') fromV1(): void {}
      @ConvertTo('v1') toV1(): void {}
    }

    expect(Reflect.getOwnMetadata(CONVERSIONS_KEY, Handler.prototype)).toEqual([
      { direction: 'from', version: 'v1', method: 'fromV1', deprecated: undefined },
      { direction: 'to', version: 'v1', method: 'toV1', deprecated: undefined },
    ]);
  });

  it('record a deprecation warning or true', () => {
    class Handler {
      @ConvertFrom('v1alpha1', { deprecated: 'use v2' }) fromAlpha(): void {}
      @ConvertTo('v1beta1', { deprecated: true }) toBeta(): void {}
    }

    expect(Reflect.getOwnMetadata(CONVERSIONS_KEY, Handler.prototype)).toEqual([
      { direction: 'from', version: 'v1alpha1', method: 'fromAlpha', deprecated: 'use v2' },
      { direction: 'to', version: 'v1beta1', method: 'toBeta', deprecated: true },
    ]);
  });
});

describe('defineResource versions', () => {
  it('writes what the two decorators write, the options on both', () => {
    class Handler {
      up(): void {}
      down(): void {}
    }
    defineResource(Handler, {
      resource: { group: 'example.kubeop.dev', version: 'v2', plural: 'widgets', kind: 'Widget' },
      versions: { v1: { from: 'up', to: 'down', deprecated: 'use v2' } },
    });

    expect(Reflect.getOwnMetadata(CONVERSIONS_KEY, Handler.prototype)).toEqual([
      { direction: 'from', version: 'v1', method: 'up', deprecated: 'use v2' },
      { direction: 'to', version: 'v1', method: 'down', deprecated: 'use v2' },
    ]);
  });
});
