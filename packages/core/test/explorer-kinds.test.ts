import { describe, expect, it } from '@jest/globals';
import {
  CustomResource,
  OnAdded,
  OnDeleted,
  OnModified,
  OnReconcile,
  OnTimer,
  Owns,
  Resource,
} from '@kubeop/decorators';
import { describeHandlerClass } from '@kubeop/core/tooling';

const custom = { group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' };
const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' };

describe('describeHandlerClass with @Resource, @Owns, @OnReconcile and @OnTimer', () => {
  it('accepts the core group for @Resource and gives its objects a domain-qualified finalizer', () => {
    @Resource({ ...configMaps, labelSelector: 'app=web' })
    class Maps {
      @OnAdded() added(): void {}
      @OnDeleted() deleted(): void {}
    }
    const description = describeHandlerClass(Maps);
    expect(description.resource).toMatchObject({ group: '', custom: false, labelSelector: 'app=web' });
    expect(description.finalizer).toBe('kubeop.dev/finalizer');
  });

  it('still wants a dotted group for a custom resource', () => {
    @CustomResource({ ...custom, group: 'things' })
    class Bad {
      @OnAdded() added(): void {}
    }
    expect(() => describeHandlerClass(Bad)).toThrow(
      /@CustomResource on Bad: group "things" is invalid \(a DNS subdomain such as example.com\)/,
    );
  });

  it('describes owned types and timers', () => {
    @CustomResource(custom)
    @Owns(configMaps)
    class Owner {
      @OnReconcile() reconcile(): void {}
      @OnTimer({ interval: 10, initialDelay: 1 }) check(): void {}
    }
    const description = describeHandlerClass(Owner);
    expect(description.owns).toEqual([{ ...configMaps, metadataOnly: false }]);
    expect(description.handlers.reconcile?.method).toBe('reconcile');
    expect(description.timers).toMatchObject([{ method: 'check', interval: 10, initialDelay: 1 }]);
  });

  it('accepts a class whose only handler is a timer', () => {
    @CustomResource(custom)
    class Ticking {
      @OnTimer({ interval: 1 }) tick(): void {}
    }
    expect(describeHandlerClass(Ticking).timers).toHaveLength(1);
  });

  it('refuses @OnReconcile beside @OnAdded or @OnModified', () => {
    @CustomResource(custom)
    class Both {
      @OnReconcile() reconcile(): void {}
      @OnModified() modified(): void {}
    }
    expect(() => describeHandlerClass(Both)).toThrow(
      'Both has @OnReconcile() and @OnModified(): @OnReconcile runs for every reason, so it replaces both; keep one style',
    );
  });

  it('refuses @Owns without a handler to run when an owned object changes', () => {
    @CustomResource(custom)
    @Owns(configMaps)
    class Deaf {
      @OnAdded() added(): void {}
    }
    expect(() => describeHandlerClass(Deaf)).toThrow(
      'Deaf has @Owns(ConfigMap) but no @OnReconcile() or @OnModified() handler to run when an owned object changes',
    );
  });

  it('names a malformed owned type and a repeated one', () => {
    @CustomResource(custom)
    @Owns({ ...configMaps, plural: 'ConfigMaps' })
    class Malformed {
      @OnReconcile() reconcile(): void {}
    }
    expect(() => describeHandlerClass(Malformed)).toThrow(
      '@Owns on Malformed: plural "ConfigMaps" is invalid (lower case, such as testobjects)',
    );

    @CustomResource(custom)
    @Owns(configMaps)
    @Owns(configMaps)
    class Twice {
      @OnReconcile() reconcile(): void {}
    }
    expect(() => describeHandlerClass(Twice)).toThrow('@Owns on Twice names configmaps twice');
  });

  it('refuses a timer interval that is not a positive number of seconds', () => {
    @CustomResource(custom)
    class Zero {
      @OnTimer({ interval: 0 }) tick(): void {}
    }
    expect(() => describeHandlerClass(Zero)).toThrow(
      '@OnTimer on Zero.tick: interval 0 is not a number of seconds > 0',
    );

    @CustomResource(custom)
    class NegativeDelay {
      @OnTimer({ interval: 1, initialDelay: -1 }) tick(): void {}
    }
    expect(() => describeHandlerClass(NegativeDelay)).toThrow(
      '@OnTimer on NegativeDelay.tick: initialDelay -1 is not a number of seconds >= 0',
    );
  });
});
