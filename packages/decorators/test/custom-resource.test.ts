import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { CUSTOM_RESOURCE_KEY, CustomResource, defineResource, OnAdded } from '@kubeop/decorators';

describe('@CustomResource', () => {
  it('records the resource with defaults filled in', () => {
    @CustomResource({ group: 'example.kubeop.dev', version: 'v1alpha1', plural: 'testobjects', kind: 'TestObject' })
    class Handler {}

    expect(Reflect.getMetadata(CUSTOM_RESOURCE_KEY, Handler)).toEqual({
      group: 'example.kubeop.dev',
      version: 'v1alpha1',
      plural: 'testobjects',
      kind: 'TestObject',
      custom: true,
      labelSelector: undefined,
      fieldSelector: undefined,
      singular: 'testobject',
      shortNames: [],
      scope: 'Namespaced',
      schema: undefined,
      categories: [],
      columns: [
        { name: 'State', type: 'string', jsonPath: '.status.state' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
      finalizer: undefined,
      keepManagedFields: false,
      rateLimit: undefined,
    });
  });

  it('keeps every option given', () => {
    const schema = { type: 'object' };
    @CustomResource({
      group: 'example.kubeop.dev',
      version: 'v1',
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      shortNames: ['wd'],
      scope: 'Cluster',
      schema,
      categories: ['all'],
      columns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', priority: 1 }],
      finalizer: 'example.kubeop.dev/cleanup',
      keepManagedFields: true,
      rateLimit: { runs: 2, perSeconds: 3 },
    })
    class Handler {}

    expect(Reflect.getMetadata(CUSTOM_RESOURCE_KEY, Handler)).toMatchObject({
      singular: 'widget',
      shortNames: ['wd'],
      scope: 'Cluster',
      schema,
      categories: ['all'],
      columns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', priority: 1 }],
      finalizer: 'example.kubeop.dev/cleanup',
      keepManagedFields: true,
      rateLimit: { runs: 2, perSeconds: 3 },
    });
  });

  it('copies rateLimit, so changing the options object later does not change the class', () => {
    const rateLimit = { runs: 1, perSeconds: 5 };
    @CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing', rateLimit })
    class Handler {}
    rateLimit.runs = 100;

    expect(Reflect.getMetadata(CUSTOM_RESOURCE_KEY, Handler).rateLimit).toEqual({ runs: 1, perSeconds: 5 });
  });

  it('writes the same record as the decorator-free defineResource()', () => {
    const options = { group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' };
    @CustomResource(options)
    class Decorated {
      @OnAdded() added(): void {}
    }
    class Plain {
      added(): void {}
    }
    defineResource(Plain, { resource: options, onAdded: 'added' });

    expect(Reflect.getMetadata(CUSTOM_RESOURCE_KEY, Plain)).toEqual(
      Reflect.getMetadata(CUSTOM_RESOURCE_KEY, Decorated),
    );
  });
});
