// @OnValidate and @OnMutate: the records they write, with and without options, and the decorator-free twin.
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { defineResource, OnMutate, OnValidate, WEBHOOKS_KEY } from '@kubeop/decorators';

describe('@OnValidate, @OnMutate', () => {
  it('record each method with the defaults: CREATE and UPDATE, 10 s, Fail', () => {
    class Handler {
      @OnValidate() check(): void {}
      @OnMutate() defaults(): void {}
    }
    expect(Reflect.getOwnMetadata(WEBHOOKS_KEY, Handler.prototype)).toEqual([
      { type: 'validate', method: 'check', operations: ['CREATE', 'UPDATE'], timeout: 10, failurePolicy: 'Fail' },
      { type: 'mutate', method: 'defaults', operations: ['CREATE', 'UPDATE'], timeout: 10, failurePolicy: 'Fail' },
    ]);
  });

  it('record the options given', () => {
    class Handler {
      @OnValidate({ operations: ['DELETE'], timeout: 3, failurePolicy: 'Ignore' }) check(): void {}
    }
    expect(Reflect.getOwnMetadata(WEBHOOKS_KEY, Handler.prototype)).toEqual([
      { type: 'validate', method: 'check', operations: ['DELETE'], timeout: 3, failurePolicy: 'Ignore' },
    ]);
  });

  it('defineResource writes what the decorators write', () => {
    class Decorated {
      @OnValidate({ timeout: 5 }) check(): void {}
      @OnMutate({ failurePolicy: 'Ignore' }) defaults(): void {}
    }
    class Plain {
      check(): void {}
      defaults(): void {}
    }
    defineResource(Plain, {
      resource: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' },
      custom: false,
      validate: { check: { timeout: 5 } },
      mutate: { defaults: { failurePolicy: 'Ignore' } },
    });
    expect(Reflect.getOwnMetadata(WEBHOOKS_KEY, Plain.prototype)).toEqual(
      Reflect.getOwnMetadata(WEBHOOKS_KEY, Decorated.prototype),
    );
  });
});
