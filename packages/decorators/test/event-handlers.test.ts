import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { defineResource, EVENT_HANDLERS_KEY, OnAdded, OnDeleted, OnModified } from '@kubeop/decorators';

describe('@OnAdded, @OnModified, @OnDeleted', () => {
  it('record one entry per decorated method, with defaults', () => {
    class Handler {
      @OnAdded() created(): void {}
      @OnModified() changed(): void {}
      @OnDeleted() removed(): void {}
    }

    expect(Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, Handler.prototype)).toEqual([
      {
        event: 'added',
        method: 'created',
        skipWhenStateSet: true,
        everyChange: false,
        finalizer: true,
        timeout: undefined,
      },
      {
        event: 'modified',
        method: 'changed',
        skipWhenStateSet: true,
        everyChange: false,
        finalizer: true,
        timeout: undefined,
      },
      {
        event: 'deleted',
        method: 'removed',
        skipWhenStateSet: true,
        everyChange: false,
        finalizer: true,
        timeout: undefined,
      },
    ]);
  });

  it('record the options given', () => {
    class Handler {
      @OnAdded({ skipWhenStateSet: false }) created(): void {}
      @OnModified({ everyChange: true }) changed(): void {}
      @OnDeleted({ finalizer: false, timeout: 5 }) removed(): void {}
    }

    const records = Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, Handler.prototype);
    expect(
      records.map((r: { event: string; skipWhenStateSet: boolean; everyChange: boolean; finalizer: boolean }) => [
        r.event,
        r.skipWhenStateSet,
        r.everyChange,
        r.finalizer,
      ]),
    ).toEqual([
      ['added', false, false, true],
      ['modified', true, true, true],
      ['deleted', true, false, false],
    ]);
    expect(records.map((r: { timeout?: number }) => r.timeout)).toEqual([undefined, undefined, 5]);
  });

  it('keep a subclass record apart from its parent', () => {
    class Parent {
      @OnAdded() created(): void {}
    }
    class Child extends Parent {
      @OnDeleted() removed(): void {}
    }

    expect(Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, Parent.prototype)).toHaveLength(1);
    expect(Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, Child.prototype)).toEqual([
      expect.objectContaining({ event: 'deleted', method: 'removed' }),
    ]);
  });

  it('match what defineResource() records', () => {
    class Decorated {
      @OnModified({ everyChange: true }) changed(): void {}
    }
    class Plain {
      changed(): void {}
    }
    defineResource(Plain, {
      resource: { group: 'a.b', version: 'v1', plural: 'xs', kind: 'X' },
      onModified: { method: 'changed', options: { everyChange: true } },
    });

    expect(Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, Plain.prototype)).toEqual(
      Reflect.getOwnMetadata(EVENT_HANDLERS_KEY, Decorated.prototype),
    );
  });
});
