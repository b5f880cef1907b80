// How an attempt's end is carried out (controller/settle.ts): a success's count and requeue, a failure's retry through
// the queue's backoff, a permanent failure given up on (a deletion's finalizer released), an unsent status kept.
import 'reflect-metadata';
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted } from '@kubeop/decorators';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { eventually } from '@kubeop/testing';
import { PermanentError } from '../src/errors.js';
import { Settle, type SettleContext } from '../src/internal/controller/settle.js';
import { emptyStats } from '../src/internal/controller/stats.js';
import { type Action, type Intent, NOTHING } from '../src/internal/dispatch/dispatch.js';
import type { ControllerMetrics } from '../src/internal/metrics/metrics.js';
import type { WorkQueue } from '../src/internal/queue/work-queue.js';
import type { HandlerDependencies } from '../src/internal/run/handler-runner.js';
import { StatusWriteError } from '../src/internal/run/status-errors.js';
import type { KubeClient } from '../src/kube/client.js';
import type { KubeObject } from '../src/kube/objects.js';
import { createRootLogger } from '../src/logging.js';
import type { RunReason } from '../src/reasons.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
class Things {
  @OnAdded() created(): void {}
  @OnDeleted() removed(): void {}
}
const description = describeHandlerClass(Things);

const object: KubeObject = {
  apiVersion: 'example.kubeop.dev/v1',
  kind: 'Thing',
  metadata: { name: 'x', namespace: 'ns', uid: 'u1', resourceVersion: '5', generation: 1 },
};
/** Why the run happened: the same reason objects the queued intent carries. */
const created: RunReason = { type: 'added' };
const call = (handler: 'added' | 'deleted', removeFinalizer = false): Action => ({
  kind: 'call',
  handler,
  object,
  addFinalizer: false,
  removeFinalizer,
  reasons: [created],
});

/** A Settle over recording fakes: the queue's and the metrics' calls, the client's requests, the log lines. */
function settleWith(failuresSoFar = 0) {
  const queued: Array<{ how: string; key: string; intent?: Intent; delayMs?: number }> = [];
  const queue = {
    failuresOf: () => failuresSoFar,
    backoffFor: (attempt: number) => 500 * 2 ** (attempt - 1),
    heldFor: () => undefined,
    add: (key: string, intent: Intent) => queued.push({ how: 'add', key, intent }),
    addAfter: (key: string, intent: Intent, delayMs: number) => queued.push({ how: 'after', key, intent, delayMs }),
    addRateLimited: (key: string, intent: Intent, delayMs: number) =>
      queued.push({ how: 'backoff', key, intent, delayMs }),
    forget: (key: string) => queued.push({ how: 'forget', key }),
  } as unknown as WorkQueue<Intent>;
  const counted: unknown[][] = [];
  const metrics = new Proxy(
    {},
    {
      get:
        (_target, name) =>
        (...args: unknown[]) =>
          void counted.push([name, ...args]),
    },
  ) as ControllerMetrics;
  const requests: Array<{ method: string; path: string }> = [];
  const client = {
    request: (method: string, path: string) => {
      requests.push({ method, path });
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  const lines: Array<{ level: string; message: string }> = [];
  const logger = createRootLogger({
    level: 'debug',
    format: 'json',
    stream: new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(JSON.parse(String(chunk)) as { level: string; message: string });
        done();
      },
    }),
  });
  const stats = emptyStats(() => 0);
  const handledDeletions = new Set<string>();
  const context: SettleContext = {
    description,
    deps: { client, config: { name: 'op' }, logger } as unknown as HandlerDependencies,
    queue,
    metrics,
    stats,
    handledDeletions,
    logger,
    latest: () => object,
    shutdown: new AbortController().signal,
  };
  return { settle: new Settle(context), queued, counted, requests, lines, stats, handledDeletions };
}

describe('settling an attempt', () => {
  it('counts a handler run that succeeded, and queues nothing', () => {
    const s = settleWith();
    expect(s.settle.succeeded('ns/x', call('added'), undefined)).toBe('success');
    expect(s.stats.handled).toBe(1);
    expect(s.counted).toEqual([['handlerRun', '@OnAdded', 'success']]);
    expect(s.queued).toEqual([]);
  });

  it('queues the run a handler asked for with requeueAfter, after that many seconds', () => {
    const s = settleWith();
    expect(s.settle.succeeded('ns/x', call('added'), 30)).toBe('requeue_after');
    expect(s.queued).toEqual([
      {
        how: 'after',
        key: 'ns/x',
        intent: { ...NOTHING, retry: 'added', reasons: [{ type: 'requeue' }] },
        delayMs: 30_000,
      },
    ]);
    expect(s.counted).toEqual([['handlerRun', '@OnAdded', 'requeue'], ['retry']]);
  });

  it('counts nothing for a skip', () => {
    const s = settleWith();
    expect(s.settle.succeeded('ns/x', { kind: 'skip', reason: 'no change' }, undefined)).toBe('success');
    expect(s.stats.handled).toBe(0);
    expect(s.counted).toEqual([]);
  });

  it('retries a failed run after the backoff of its attempt, with a retry reason, and records it as owed', async () => {
    const s = settleWith(2);
    const intent: Intent = { ...NOTHING, added: true, reasons: [created] };
    expect(s.settle.failed('ns/x', intent, call('added'), 'Things.created for ns/x', new Error('boom'))).toBe('error');
    expect(s.stats).toMatchObject({ failed: 1, retries: 1 });
    expect(s.queued).toEqual([
      {
        how: 'backoff',
        key: 'ns/x',
        intent: { ...intent, retry: 'added', reasons: [{ type: 'retry', handler: '@OnAdded', attempt: 4 }] },
        delayMs: 2_000,
      },
    ]);
    expect(s.counted).toContainEqual(['retry']);
    expect(s.lines.some((l) => l.message.includes('boom'))).toBe(true);
    // The state rule would skip the retried @OnAdded after a restart: the object carries that it is owed.
    const path = '/apis/example.kubeop.dev/v1/namespaces/ns/things/x';
    await eventually(
      () => s.requests.some((r) => r.method === 'PATCH' && r.path === path),
      'the owed run recorded',
      10_000,
    );
  });

  it('keeps a status the run could not write, to send again without running the handler', () => {
    const s = settleWith();
    const unsent = { state: 'done' };
    const thrown = new StatusWriteError('writing the status of ns/x failed', {}, unsent);
    s.settle.failed('ns/x', { ...NOTHING, added: true }, call('added'), 'Things.created for ns/x', thrown);
    expect(s.queued.at(-1)).toMatchObject({ how: 'backoff', intent: { ...NOTHING, status: unsent } });
  });

  it('gives up on a permanent failure: the failures forgotten, nothing queued again', () => {
    const s = settleWith();
    const result = s.settle.failed('ns/x', NOTHING, call('added'), 'Things.created for ns/x', new PermanentError('no'));
    expect(result).toBe('terminal_error');
    expect(s.queued).toEqual([{ how: 'forget', key: 'ns/x' }]);
    expect(s.stats.retries).toBe(0);
  });

  it('releases the finalizer of a deletion whose @OnDeleted gave up, so the object can go', () => {
    const s = settleWith();
    s.settle.failed('ns/x', NOTHING, call('deleted', true), 'Things.removed for ns/x', new PermanentError('no'));
    expect(s.handledDeletions.has('u1')).toBe(true);
    expect(s.queued).toEqual([
      { how: 'forget', key: 'ns/x' },
      { how: 'add', key: 'ns/x', intent: { ...NOTHING, sync: true } },
    ]);
  });
});
