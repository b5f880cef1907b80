import { describe, expect, it } from '@jest/globals';
import { Arg, CustomResource, defineResource, OnAdded, OnDeleted, OnModified } from '@kubeop/decorators';
import { InvalidHandlerError, ResourceHandler } from '@kubeop/core';
import { describeHandlerClass } from '@kubeop/core/tooling';

const resource = { group: 'example.kubeop.dev', version: 'v1alpha1', plural: 'testobjects', kind: 'TestObject' };

describe('describeHandlerClass', () => {
  it('describes a decorated class', () => {
    @CustomResource(resource)
    class Handler extends ResourceHandler {
      @Arg({ description: 'd' }) myArgument!: string;
      @OnAdded() created(): void {}
      @OnModified() changed(): void {}
      @OnDeleted() removed(): void {}
    }

    const description = describeHandlerClass(Handler);
    expect(description.resource).toMatchObject({ ...resource, singular: 'testobject', scope: 'Namespaced' });
    expect(Object.keys(description.handlers).sort()).toEqual(['added', 'deleted', 'modified']);
    expect(description.args).toEqual([
      expect.objectContaining({ property: 'myArgument', flag: 'my-argument', type: 'string' }),
    ]);
    expect(description.finalizer).toBe('example.kubeop.dev/finalizer');
  });

  it('has no finalizer without @OnDeleted, or when it opts out', () => {
    @CustomResource(resource)
    class NoDelete {
      @OnAdded() created(): void {}
    }
    @CustomResource(resource)
    class OptOut {
      @OnDeleted({ finalizer: false }) removed(): void {}
    }
    @CustomResource({ ...resource, finalizer: 'example.kubeop.dev/mine' })
    class Named {
      @OnDeleted() removed(): void {}
    }

    expect(describeHandlerClass(NoDelete).finalizer).toBeUndefined();
    expect(describeHandlerClass(OptOut).finalizer).toBeUndefined();
    expect(describeHandlerClass(Named).finalizer).toBe('example.kubeop.dev/mine');
  });

  it('takes handlers and args from parent classes, the subclass winning', () => {
    @CustomResource(resource)
    class Base {
      @Arg() level!: number;
      @OnAdded() created(): void {}
      @OnModified() changed(): void {}
    }
    @CustomResource(resource)
    class Derived extends Base {
      @OnAdded() createdAgain(): void {}
    }

    const description = describeHandlerClass(Derived);
    expect(description.handlers.added?.method).toBe('createdAgain');
    expect(description.handlers.modified?.method).toBe('changed');
    expect(description.args.map((a) => [a.flag, a.type])).toEqual([['level', 'number']]);
  });

  it('accepts classes described without decorators', () => {
    class Plain {
      created(): void {}
    }
    defineResource(Plain, { resource, onAdded: 'created', args: { dryRun: { type: 'boolean' } } });

    const description = describeHandlerClass(Plain);
    expect(description.handlers.added?.method).toBe('created');
    expect(description.args[0]).toMatchObject({ flag: 'dry-run', type: 'boolean' });
  });

  it('rejects a class that is not decorated', () => {
    class Bare {}
    expect(() => describeHandlerClass(Bare)).toThrow(
      new InvalidHandlerError(
        'Bare is not decorated with @CustomResource({ group, version, plural, kind }) or @Resource({ group, version, plural, kind })',
      ),
    );
  });

  it('rejects a missing or malformed group, version, plural and kind', () => {
    @CustomResource({ group: '', version: '1', plural: 'Things', kind: 'thing' })
    class Bad {
      @OnAdded() created(): void {}
    }
    expect(() => describeHandlerClass(Bad)).toThrow(
      /group is missing.*version "1" is invalid.*plural "Things" is invalid.*kind "thing" is invalid/,
    );
  });

  it('rejects two handlers for one event', () => {
    @CustomResource(resource)
    class Twice {
      @OnAdded() one(): void {}
      @OnAdded() two(): void {}
    }
    expect(() => describeHandlerClass(Twice)).toThrow('Twice has two @OnAdded() handlers: one and two; keep one');
  });

  it('rejects a handler timeout that is not a number of seconds >= 0', () => {
    @CustomResource(resource)
    class Negative {
      @OnModified({ timeout: -1 }) changed(): void {}
    }
    expect(() => describeHandlerClass(Negative)).toThrow(
      '@OnModified({ timeout }) on Negative.changed: -1 is not a number of seconds >= 0 (0 means none)',
    );
    @CustomResource(resource)
    class Fine {
      @OnAdded({ timeout: 2.5 }) added(): void {}
    }
    expect(describeHandlerClass(Fine).handlers.added?.timeout).toBe(2.5);
  });

  it('takes a rateLimit of whole runs per positive seconds, and names the class and field of a bad one', () => {
    @CustomResource({ ...resource, rateLimit: { runs: 2, perSeconds: 0.5 } })
    class Limited {
      @OnAdded() added(): void {}
    }
    expect(describeHandlerClass(Limited).resource.rateLimit).toEqual({ runs: 2, perSeconds: 0.5 });

    const bad: Array<[unknown, RegExp]> = [
      [{ runs: 0, perSeconds: 3 }, /^@CustomResource on Bad: rateLimit\.runs "0" is invalid \(a whole number/],
      [{ runs: 1.5, perSeconds: 3 }, /rateLimit\.runs "1\.5" is invalid/],
      [
        { runs: 2, perSeconds: -1 },
        /^@CustomResource on Bad: rateLimit\.perSeconds "-1" is invalid \(a number of seconds > 0/,
      ],
      [{ runs: 2, perSeconds: Infinity }, /rateLimit\.perSeconds "Infinity" is invalid/],
      [{ runs: 2, perSeconds: NaN }, /rateLimit\.perSeconds "NaN" is invalid/],
      [{ runs: 2 }, /rateLimit\.perSeconds is missing/],
      [{ runs: '2', perSeconds: 1 }, /rateLimit\.runs "2" is invalid/],
    ];
    for (const [rateLimit, message] of bad) {
      @CustomResource({ ...resource, rateLimit: rateLimit as { runs: number; perSeconds: number } })
      class Bad {
        @OnAdded() added(): void {}
      }
      expect(() => describeHandlerClass(Bad)).toThrow(InvalidHandlerError);
      expect(() => describeHandlerClass(Bad)).toThrow(message);
    }
  });

  it('rejects a class without handlers', () => {
    @CustomResource(resource)
    class Idle {}
    expect(() => describeHandlerClass(Idle)).toThrow(
      'Idle has no @OnAdded(), @OnModified(), @OnDeleted(), @OnReconcile(), @OnTimer(), @OnValidate() or @OnMutate() handler',
    );
  });

  it('names the tsconfig options when an @Arg has no design:type at all (emitDecoratorMetadata off)', () => {
    class Unannotated {
      created(): void {}
    }
    // What @Arg() records when TypeScript emits no metadata: no design:type and no explicit type.
    defineResource(Unannotated, { resource, onAdded: 'created', args: { target: {} } });
    expect(() => describeHandlerClass(Unannotated)).toThrow(InvalidHandlerError);
    expect(() => describeHandlerClass(Unannotated)).toThrow(
      /@Arg on Unannotated.target: no type metadata \(design:type\). Enable "emitDecoratorMetadata" and "experimentalDecorators" .*tsconfig.json, or pass \{ type/,
    );
  });

  it('rejects an @Arg whose type cannot be inferred', () => {
    @CustomResource(resource)
    class Vague {
      @Arg() settings!: { a: number };
      @OnAdded() created(): void {}
    }
    expect(() => describeHandlerClass(Vague)).toThrow(
      /@Arg on Vague.settings: cannot infer the flag type from the design type Object/,
    );
  });
});
