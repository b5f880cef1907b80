// What queues an object besides its own events: owned objects' changes, @OnTimer ticks and resyncs.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { CustomResource, OnAdded, OnTimer } from '@kubeop/decorators';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { Triggers } from '../src/internal/controller/triggers.js';
import type { Intent } from '../src/internal/dispatch/dispatch.js';
import type { WatchEvent, WatchListener } from '../src/internal/types/watch-event.js';
import type { ResourceWatcher } from '../src/internal/watch/watcher.js';
import type { KubeObject } from '../src/kube/objects.js';
import { Writable } from 'node:stream';
import { createRootLogger } from '../src/logging.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'bundles', kind: 'Bundle' })
class Bundles {
  @OnAdded() a(): void {}
  @OnTimer({ interval: 10, initialDelay: 10 }) check(): void {}
}
const description = describeHandlerClass(Bundles);

/** A watcher as Triggers sees it: a cache and listeners the test calls. */
function fakeWatcher(): ResourceWatcher & { deliver(event: WatchEvent): void } {
  const listeners = new Set<WatchListener>();
  return {
    cache: new Map<string, KubeObject>(),
    subscribe: (listener: WatchListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deliver: (event: WatchEvent) => listeners.forEach((listener) => listener(event)),
  } as unknown as ResourceWatcher & { deliver(event: WatchEvent): void };
}

const bundle: KubeObject = {
  apiVersion: 'example.kubeop.dev/v1',
  kind: 'Bundle',
  metadata: { name: 'b', namespace: 'ns', uid: 'u1' },
};
const child = (uid = 'u1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'c',
    namespace: 'ns',
    ownerReferences: [{ apiVersion: 'example.kubeop.dev/v1', kind: 'Bundle', name: 'b', uid, controller: true }],
  },
});

let queued: Array<[string, Intent]>;
let running: Set<string>;
let primary: ReturnType<typeof fakeWatcher>;
let owned: ReturnType<typeof fakeWatcher>;
let triggers: Triggers;

function start(resyncPeriodSeconds = 0): void {
  triggers = new Triggers({
    description,
    primary,
    owned: [owned],
    resyncPeriodSeconds,
    logger: createRootLogger({
      level: 'error',
      format: 'text',
      stream: new Writable({ write: (_c, _e, done) => done() }),
    }),
    enqueue: (key, intent) => queued.push([key, intent]),
    isRunning: (key) => running.has(key),
  });
  triggers.start();
}

beforeEach(() => {
  jest.useFakeTimers();
  queued = [];
  running = new Set();
  primary = fakeWatcher();
  owned = fakeWatcher();
  primary.cache.set('ns/b', bundle);
});
afterEach(() => {
  triggers.stop();
  jest.useRealTimers();
});

describe('Triggers', () => {
  it("nudges the owner of a changed child, with the child's change as the reason", () => {
    start();
    owned.deliver({ type: 'MODIFIED', object: child() });
    expect(queued).toEqual([
      [
        'ns/b',
        {
          added: false,
          modified: false,
          sync: false,
          nudged: true,
          reasons: [
            {
              type: 'owned-changed',
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'c',
              namespace: 'ns',
              event: 'modified',
            },
          ],
        },
      ],
    ]);
  });

  it('ignores children listed at start-up, and children of another object of the same name (another uid)', () => {
    start();
    owned.deliver({ type: 'ADDED', object: child(), initial: true });
    owned.deliver({ type: 'ADDED', object: child('u-old') });
    expect(queued).toEqual([]);
  });

  it("links the owner's nudge to the child's event span when traces record it", () => {
    start();
    const link = { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 };
    owned.deliver({ type: 'MODIFIED', object: child(), link });
    expect(queued[0]![1].links).toEqual([link]);
  });

  it('nudges the old owner when a child moved away from it', () => {
    start();
    const moved = { ...child(), metadata: { ...child().metadata, ownerReferences: [] } };
    owned.deliver({ type: 'MODIFIED', object: moved, previous: child() });
    expect(queued.map(([key]) => key)).toEqual(['ns/b']);
  });

  it('ticks each timer of a tracked object, skips a tick while its run goes, and stops when it is deleted', () => {
    start();
    triggers.onPrimaryEvent({ type: 'ADDED', object: bundle }, 'ns/b');
    jest.advanceTimersByTime(10_000);
    expect(queued).toEqual([
      [
        'ns/b',
        { added: false, modified: false, sync: false, timers: [0], reasons: [{ type: 'timer', method: 'check' }] },
      ],
    ]);
    running.add('ns/b');
    jest.advanceTimersByTime(10_000);
    expect(queued).toHaveLength(1);
    running.clear();
    triggers.onPrimaryEvent({ type: 'DELETED', object: bundle }, 'ns/b');
    jest.advanceTimersByTime(30_000);
    expect(queued).toHaveLength(1);
  });

  it('nudges every cached object at each resync', () => {
    start(60);
    jest.advanceTimersByTime(60_000);
    expect(queued).toEqual([
      ['ns/b', { added: false, modified: false, sync: false, nudged: true, reasons: [{ type: 'resync' }] }],
    ]);
  });
});
