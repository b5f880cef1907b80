import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import {
  CUSTOM_RESOURCE_KEY,
  defineResource,
  EVENT_HANDLERS_KEY,
  OnReconcile,
  OnTimer,
  Owns,
  OWNS_KEY,
  Resource,
  TIMERS_KEY,
} from '@kubeop/decorators';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' };
const deployments = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' };

describe('@Resource', () => {
  it('records an existing resource: not custom, with its selectors, and no CRD fields', () => {
    @Resource({ ...configMaps, labelSelector: 'app=web', fieldSelector: 'metadata.name!=skip' })
    class Handler {}

    expect(Reflect.getMetadata(CUSTOM_RESOURCE_KEY, Handler)).toEqual({
      ...configMaps,
      custom: false,
      labelSelector: 'app=web',
      fieldSelector: 'metadata.name!=skip',
      singular: 'configmap',
      shortNames: [],
      scope: 'Namespaced',
      schema: undefined,
      categories: [],
      columns: [],
      finalizer: undefined,
      keepManagedFields: false,
    });
  });
});

describe('@Owns', () => {
  it('is repeatable, in declaration order', () => {
    @Owns(configMaps)
    @Owns(deployments)
    class Handler {}

    // Decorators apply bottom-up.
    expect(Reflect.getMetadata(OWNS_KEY, Handler)).toEqual([
      { ...deployments, metadataOnly: false },
      { ...configMaps, metadataOnly: false },
    ]);
  });

  it('records a metadata-only cache when asked, the same through defineResource()', () => {
    @Owns(configMaps, { metadataOnly: true })
    class Decorated {}
    class Defined {}
    defineResource(Defined, {
      resource: { ...deployments, kind: 'Thing', plural: 'things', group: 'example.kubeop.dev' },
      owns: [{ ...configMaps, metadataOnly: true }],
    });

    expect(Reflect.getMetadata(OWNS_KEY, Decorated)).toEqual([{ ...configMaps, metadataOnly: true }]);
    expect(Reflect.getMetadata(OWNS_KEY, Defined)).toEqual(Reflect.getMetadata(OWNS_KEY, Decorated));
  });
});

describe('@OnReconcile and @OnTimer', () => {
  it('record a reconcile handler and timers with their defaults', () => {
    class Handler {
      @OnReconcile({ timeout: 5 }) reconcile(): void {}
      @OnTimer({ interval: 30 }) check(): void {}
      @OnTimer({ interval: 60, initialDelay: 0, timeout: 10 }) report(): void {}
    }

    expect(Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, Handler.prototype)).toEqual([
      {
        event: 'reconcile',
        method: 'reconcile',
        skipWhenStateSet: true,
        everyChange: false,
        finalizer: true,
        timeout: 5,
      },
    ]);
    expect(Reflect.getOwnMetadata(TIMERS_KEY, Handler.prototype)).toEqual([
      {
        event: 'timer',
        method: 'check',
        interval: 30,
        initialDelay: 30,
        timeout: undefined,
        skipWhenStateSet: false,
        everyChange: false,
        finalizer: false,
      },
      {
        event: 'timer',
        method: 'report',
        interval: 60,
        initialDelay: 0,
        timeout: 10,
        skipWhenStateSet: false,
        everyChange: false,
        finalizer: false,
      },
    ]);
  });
});

describe('defineResource', () => {
  it('writes what @Resource, @Owns, @OnReconcile and @OnTimer write', () => {
    class ByDecorators {
      reconcile(): void {}
      tick(): void {}
    }
    Resource({ ...configMaps, labelSelector: 'a=b' })(ByDecorators);
    Owns(deployments)(ByDecorators);
    OnReconcile()(ByDecorators.prototype, 'reconcile', {});
    OnTimer({ interval: 5 })(ByDecorators.prototype, 'tick', {});

    class ByDefinition {
      reconcile(): void {}
      tick(): void {}
    }
    defineResource(ByDefinition, {
      resource: { ...configMaps, labelSelector: 'a=b' },
      custom: false,
      owns: [deployments],
      onReconcile: 'reconcile',
      timers: { tick: { interval: 5 } },
    });

    for (const key of [CUSTOM_RESOURCE_KEY, OWNS_KEY])
      expect(Reflect.getMetadata(key, ByDefinition)).toEqual(Reflect.getMetadata(key, ByDecorators));
    for (const key of [EVENT_HANDLERS_KEY, TIMERS_KEY]) {
      expect(Reflect.getOwnMetadata(key, ByDefinition.prototype)).toEqual(
        Reflect.getOwnMetadata(key, ByDecorators.prototype),
      );
    }
  });
});
