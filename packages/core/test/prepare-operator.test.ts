import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted } from '@kubeop/decorators';
import { InvalidHandlerError } from '@kubeop/core';
import { prepareOperator } from '@kubeop/core/tooling';

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
    expect(prepare).toThrow(
      /^ThingHandler and ThingCleaner both handle things.example.kubeop.dev \(v1\): bootstrap\(\) takes one handler class per resource/,
    );
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

  it('refuses leader-election timings under which two replicas could lead at once', () => {
    const prepare =
      (...argv: string[]) =>
      () =>
        prepareOperator({ handlers: [ThingHandler], argv, env: {} });
    expect(prepare('--lease-duration', '10', '--renew-deadline', '10')).toThrow(
      '--renew-deadline (10 s) must be shorter than --lease-duration (10 s)',
    );
    expect(prepare('--renew-deadline', '4', '--retry-period', '4')).toThrow(
      '--renew-deadline (4 s) must be longer than 1.2 × --retry-period (4 s)',
    );
    expect(prepare('--lease-duration', '3', '--renew-deadline', '2', '--retry-period', '0.5')()).toMatchObject({
      kind: 'operator',
    });
  });

  it('maps the leader-election flags onto the runtime config, with a Lease name derived from name and resources', () => {
    const prepared = prepareOperator({
      handlers: [ThingHandler],
      argv: ['--leader-elect'],
      env: {},
      name: 'thing-operator',
    });
    if (prepared.kind !== 'operator') throw new Error('expected an operator');
    expect(prepared.operator.config.leaderElection).toEqual({
      leaseName: expect.stringMatching(/^thing-operator-[0-9a-f]{8}$/),
      namespace: 'default',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
    });
    const other = prepareOperator({
      handlers: [ThingHandler],
      argv: ['--leader-elect', '--leader-election-id', 'mine', '--leader-election-namespace', 'ops'],
      env: {},
    });
    if (other.kind !== 'operator') throw new Error('expected an operator');
    expect(other.operator.config.leaderElection).toMatchObject({ leaseName: 'mine', namespace: 'ops' });
    const off = prepareOperator({ handlers: [ThingHandler], argv: [], env: {} });
    expect(off.kind === 'operator' && off.operator.config.leaderElection).toBeUndefined();
  });
});
