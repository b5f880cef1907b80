import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { controllerOwner, ownedChanged } from '../src/internal/dispatch/owners.js';
import { TimerScheduler } from '../src/internal/timer/timer-scheduler.js';
import type { KubeObject } from '../src/kube/objects.js';

const owner = { group: 'example.kubeop.dev', kind: 'Bundle', scope: 'Namespaced' as const };
const ref = { apiVersion: 'example.kubeop.dev/v1', kind: 'Bundle', name: 'b', uid: 'u1', controller: true };

function child(ownerReferences: unknown[], namespace: string | undefined = 'ns'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace, ownerReferences } };
}

describe('controllerOwner', () => {
  it("maps a child onto its controller owner's key, in the child's namespace", () => {
    expect(controllerOwner(child([ref]), owner)).toEqual({ key: 'ns/b', uid: 'u1' });
    expect(controllerOwner(child([ref], undefined), { ...owner, scope: 'Cluster' })).toEqual({ key: 'b', uid: 'u1' });
  });

  it('ignores owner references that are not the controller, or point at another kind or group', () => {
    expect(controllerOwner(child([{ ...ref, controller: false }]), owner)).toBeUndefined();
    expect(controllerOwner(child([{ ...ref, kind: 'Other' }]), owner)).toBeUndefined();
    expect(controllerOwner(child([{ ...ref, apiVersion: 'other.example.com/v1' }]), owner)).toBeUndefined();
    // Another version of the same group is the same objects.
    expect(controllerOwner(child([{ ...ref, apiVersion: 'example.kubeop.dev/v2' }]), owner)).toEqual({
      key: 'ns/b',
      uid: 'u1',
    });
    expect(controllerOwner(child([]), owner)).toBeUndefined();
  });

  it('names the child and what happened to it', () => {
    expect(ownedChanged({ type: 'DELETED', object: child([ref]) })).toEqual({
      type: 'owned-changed',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'c',
      namespace: 'ns',
      event: 'deleted',
    });
  });
});

describe('TimerScheduler', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('ticks after the initial delay, then every interval, until untracked', () => {
    jest.useFakeTimers();
    const ticks: Array<[string, number]> = [];
    const scheduler = new TimerScheduler([{ interval: 10, initialDelay: 1 }], (key, index) => ticks.push([key, index]));
    scheduler.track('ns/a');
    scheduler.track('ns/a'); // already armed: no second timer
    jest.advanceTimersByTime(999);
    expect(ticks).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(ticks).toEqual([['ns/a', 0]]);
    jest.advanceTimersByTime(20_000);
    expect(ticks).toHaveLength(3);
    scheduler.untrack('ns/a');
    jest.advanceTimersByTime(60_000);
    expect(ticks).toHaveLength(3);
    expect(scheduler.size).toBe(0);
  });

  it('arms nothing once stopped', () => {
    jest.useFakeTimers();
    const onTick = jest.fn();
    const scheduler = new TimerScheduler([{ interval: 1, initialDelay: 0 }], onTick);
    scheduler.track('a');
    scheduler.stop();
    scheduler.track('b');
    jest.advanceTimersByTime(10_000);
    expect(onTick).not.toHaveBeenCalled();
  });
});
