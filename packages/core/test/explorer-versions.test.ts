// The explorer's rules for served versions: both converters, not the storage version, no version twice.
import { describe, expect, it } from '@jest/globals';
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile, Resource } from '@kubeop/decorators';
import { InvalidHandlerError, ResourceHandler } from '@kubeop/core';
import { describeHandlerClass } from '@kubeop/core/tooling';

const widgets = { group: 'example.kubeop.dev', version: 'v2', plural: 'widgets', kind: 'Widget' };

function failure(handlerClass: Parameters<typeof describeHandlerClass>[0]): InvalidHandlerError {
  try {
    describeHandlerClass(handlerClass);
  } catch (error) {
    if (error instanceof InvalidHandlerError) return error;
    throw error;
  }
  throw new Error(`${handlerClass.name} was accepted`);
}

describe('describeHandlerClass versions', () => {
  it('describes each other version with its two converters and deprecation', () => {
    @CustomResource(widgets)
    class WidgetHandler extends ResourceHandler {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v1', { deprecated: 'example.kubeop.dev/v1 Widget is deprecated; use v2' }) fromV1(): void {}
      @ConvertTo('v1') toV1(): void {}
      @ConvertFrom('v1beta1') fromBeta(): void {}
      @ConvertTo('v1beta1', { deprecated: true }) toBeta(): void {}
    }

    expect(describeHandlerClass(WidgetHandler).versions).toEqual([
      {
        name: 'v1',
        convertFrom: 'fromV1',
        convertTo: 'toV1',
        deprecated: true,
        deprecationWarning: 'example.kubeop.dev/v1 Widget is deprecated; use v2',
      },
      {
        name: 'v1beta1',
        convertFrom: 'fromBeta',
        convertTo: 'toBeta',
        deprecated: true,
        deprecationWarning: undefined,
      },
    ]);
  });

  it('has no other versions without converters', () => {
    @CustomResource(widgets)
    class Plain {
      @OnReconcile() reconcile(): void {}
    }
    expect(describeHandlerClass(Plain).versions).toEqual([]);
  });

  it('refuses a version with @ConvertFrom only, naming the class, the version and @ConvertTo', () => {
    @CustomResource(widgets)
    class HalfFrom {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v1') fromV1(): void {}
    }
    expect(failure(HalfFrom).message).toMatch(/^HalfFrom declares version v1 .* has no @ConvertTo\('v1'\)/);
  });

  it('refuses a version with @ConvertTo only, naming @ConvertFrom', () => {
    @CustomResource(widgets)
    class HalfTo {
      @OnReconcile() reconcile(): void {}
      @ConvertTo('v1') toV1(): void {}
    }
    expect(failure(HalfTo).message).toMatch(/^HalfTo declares version v1 .* has no @ConvertFrom\('v1'\)/);
  });

  it('refuses the storage version declared as another version', () => {
    @CustomResource(widgets)
    class Storage {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v2') fromV2(): void {}
      @ConvertTo('v2') toV2(): void {}
    }
    expect(failure(Storage).message).toMatch(/@ConvertFrom\('v2'\) on Storage.fromV2: v2 is the storage version/);
  });

  it('refuses a version declared twice in one class', () => {
    @CustomResource(widgets)
    class Twice {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v1') fromV1(): void {}
      @ConvertFrom('v1') fromV1Again(): void {}
      @ConvertTo('v1') toV1(): void {}
    }
    expect(failure(Twice).message).toBe("Twice has two @ConvertFrom('v1') methods; keep one");
  });

  it("lets a subclass's converter replace its parent's", () => {
    @CustomResource(widgets)
    class Base {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v1') fromV1(): void {}
      @ConvertTo('v1') toV1(): void {}
    }
    @CustomResource(widgets)
    class Derived extends Base {
      @ConvertTo('v1') toV1Better(): void {}
    }
    expect(describeHandlerClass(Derived).versions).toEqual([
      expect.objectContaining({ name: 'v1', convertFrom: 'fromV1', convertTo: 'toV1Better' }),
    ]);
  });

  it('refuses a malformed version, conversions on @Resource, and disagreeing deprecations', () => {
    @CustomResource(widgets)
    class BadName {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('1.0') fromOld(): void {}
      @ConvertTo('1.0') toOld(): void {}
    }
    @Resource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' })
    class BuiltIn {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v2') fromV2(): void {}
      @ConvertTo('v2') toV2(): void {}
    }
    @CustomResource(widgets)
    class Disagree {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v1', { deprecated: 'one' }) fromV1(): void {}
      @ConvertTo('v1', { deprecated: 'two' }) toV1(): void {}
    }
    expect(failure(BadName).message).toMatch(/"1.0" is not a version/);
    expect(failure(BuiltIn).message).toMatch(/only a @CustomResource class may declare them/);
    expect(failure(Disagree).message).toMatch(/marks version v1 deprecated differently/);
  });
});
