import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted } from '@kubeop/decorators';
import { InvalidHandlerError, prepareOperator } from '@kubeop/core';

const things = { group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' };

@CustomResource(things)
class ThingHandler {
  @OnAdded() created(): void {}
}

describe('prepareOperator', () => {
  it('refuses two handler classes for the same resource, naming both and the resource', () => {
    @CustomResource(things)
    class ThingCleaner {
      @OnDeleted() removed(): void {}
    }
    const prepare = () => prepareOperator({ handlers: [ThingHandler, ThingCleaner], argv: [], env: {} });
    expect(prepare).toThrow(InvalidHandlerError);
    expect(prepare).toThrow(/^ThingHandler and ThingCleaner both handle things.example.kubeop.dev \(v1\): bootstrap\(\) takes one handler class per resource/);
  });

  it('treats two versions of one group and plural as one resource', () => {
    @CustomResource({ ...things, version: 'v2' })
    class ThingV2 {
      @OnAdded() created(): void {}
    }
    expect(() => prepareOperator({ handlers: [ThingHandler, ThingV2], argv: [], env: {} })).toThrow(
      'ThingHandler and ThingV2 both handle things.example.kubeop.dev (v1 and v2)',
    );
  });

  it('accepts handler classes of different resources', () => {
    @CustomResource({ ...things, group: 'other.kubeop.dev' })
    class OtherThing {
      @OnAdded() created(): void {}
    }
    expect(prepareOperator({ handlers: [ThingHandler, OtherThing], argv: [], env: {} }).kind).toBe('operator');
  });
});
