// describeHandlerClass with @OnValidate and @OnMutate: what it returns, and the mistakes it names at start-up.
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnMutate, OnValidate, Resource, type AdmissionOperation } from '@kubeop/decorators';
import { InvalidHandlerError, UsageError } from '@kubeop/core';
import { describeHandlerClass, prepareOperator } from '@kubeop/core/tooling';

const custom = { group: 'example.kubeop.dev', version: 'v1', plural: 'widgets', kind: 'Widget' };
const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' };

describe('describeHandlerClass with webhooks', () => {
  it('describes a class with webhooks only, custom or built-in', () => {
    @CustomResource(custom)
    class Widgets {
      @OnValidate() check(): void {}
      @OnMutate({ timeout: 4 }) defaults(): void {}
    }
    @Resource(configMaps)
    class Maps {
      @OnValidate({ operations: ['DELETE'], failurePolicy: 'Ignore' }) check(): void {}
    }
    expect(describeHandlerClass(Widgets).webhooks.map((w) => [w.type, w.method, w.timeout])).toEqual([
      ['validate', 'check', 10],
      ['mutate', 'defaults', 4],
    ]);
    expect(describeHandlerClass(Maps).webhooks).toEqual([
      { type: 'validate', method: 'check', operations: ['DELETE'], timeout: 10, failurePolicy: 'Ignore' },
    ]);
  });

  it('names a webhook method on a class without a resource', () => {
    class Loose {
      @OnValidate() check(): void {}
    }
    expect(() => describeHandlerClass(Loose)).toThrow(InvalidHandlerError);
    expect(() => describeHandlerClass(Loose)).toThrow(
      'Loose.check has @OnValidate() but Loose has no @CustomResource({ group, version, plural, kind })',
    );
  });

  it('names an unknown operation, a DELETE mutation and a timeout out of range', () => {
    @CustomResource(custom)
    class Unknown {
      @OnValidate({ operations: ['PATCH' as AdmissionOperation] }) check(): void {}
    }
    @CustomResource(custom)
    class DeleteMutation {
      @OnMutate({ operations: ['DELETE'] }) defaults(): void {}
    }
    @CustomResource(custom)
    class Slow {
      @OnValidate({ timeout: 31 }) check(): void {}
    }
    expect(() => describeHandlerClass(Unknown)).toThrow(
      '@OnValidate on Unknown.check: unknown operation "PATCH" (one of CREATE, UPDATE, DELETE, CONNECT)',
    );
    expect(() => describeHandlerClass(DeleteMutation)).toThrow('@OnMutate on DeleteMutation.defaults: a DELETE');
    expect(() => describeHandlerClass(Slow)).toThrow('timeout 31 is not a whole number of seconds from 1 to 30');
  });
});

describe('prepareOperator with webhooks', () => {
  it('names a label selector that cannot be a webhook objectSelector', () => {
    @Resource({ ...configMaps, labelSelector: 'a in x' })
    class Odd {
      @OnValidate() check(): void {}
    }
    expect(() => prepareOperator({ handlers: [Odd], argv: [], env: {} })).toThrow(
      'labelSelector of Odd, the objectSelector of its webhooks: cannot read "a in x"',
    );
  });

  it('refuses a malformed --webhook-service and a bad --webhook-bind-address as usage errors', () => {
    @Resource(configMaps)
    class Maps {
      @OnValidate() check(): void {}
    }
    expect(() => prepareOperator({ handlers: [Maps], argv: ['--webhook-service', 'nope'], env: {} })).toThrow(
      UsageError,
    );
    expect(() => prepareOperator({ handlers: [Maps], argv: ['--webhook-bind-address', '9443'], env: {} })).toThrow(
      '--webhook-bind-address "9443": no port',
    );
  });
});
