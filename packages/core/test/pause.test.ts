// The pause's decisions: what an event says about the annotation, the Paused condition to write, kubeop's own pause
// changes being no news to a handler, and the gate keeping a paused object's work until it is unpaused.
import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded, OnDeleted, OnModified } from '@kubeop/decorators';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { CONDITION_RETRY_MS, PauseGate } from '../src/internal/controller/pause-gate.js';
import { type Intent, intentFor, NOTHING } from '../src/internal/dispatch/dispatch.js';
import {
  type Condition,
  isPaused,
  pausedConditions,
  pauseNews,
  showsPaused,
  withoutPausedCondition,
} from '../src/internal/dispatch/pause.js';
import { showPausedCondition } from '../src/internal/run/pause-condition.js';
import type { KubeClient } from '../src/kube/client.js';
import { KubeApiError } from '../src/kube/errors.js';
import type { KubeObject } from '../src/kube/objects.js';
import type { Logger } from '../src/logging.js';
import { PAUSED_ANNOTATION } from '../src/pause.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
class Every {
  @OnAdded() a(): void {}
  @OnModified({ everyChange: true }) m(): void {}
  @OnDeleted() d(): void {}
}
const every = describeHandlerClass(Every);
const F = 'example.kubeop.dev/finalizer';
const NOW = new Date('2026-12-06T10:00:00.123Z');

function obj(annotations?: Record<string, string>, status?: unknown, meta: Partial<KubeObject['metadata']> = {}) {
  const object: KubeObject = {
    apiVersion: 'example.kubeop.dev/v1',
    kind: 'Thing',
    metadata: { name: 'x', namespace: 'ns', uid: 'u1', generation: 3, resourceVersion: '7', ...meta },
  };
  if (annotations) object.metadata.annotations = annotations;
  if (status !== undefined) object.status = status;
  return object;
}
const paused = (status?: unknown, meta?: Partial<KubeObject['metadata']>) =>
  obj({ [PAUSED_ANNOTATION]: 'true' }, status, meta);
const shown: Condition = {
  type: 'Paused',
  status: 'True',
  reason: 'PausedByAnnotation',
  message: expect.stringContaining(PAUSED_ANNOTATION) as unknown as string,
  lastTransitionTime: '2026-12-06T10:00:00Z',
  observedGeneration: 3,
};
const intent = (i: Partial<Intent>): Intent => ({ ...NOTHING, ...i });

describe('isPaused and pauseNews', () => {
  it('pause on "true" only', () => {
    expect(isPaused(paused())).toBe(true);
    for (const value of ['false', '', 'True', 'yes']) expect(isPaused(obj({ [PAUSED_ANNOTATION]: value }))).toBe(false);
    expect(isPaused(obj())).toBe(false);
  });

  it('say nothing when the annotation is on neither side or did not change', () => {
    expect(pauseNews({ type: 'MODIFIED', object: obj(), previous: obj() })).toBeUndefined();
    expect(pauseNews({ type: 'MODIFIED', object: paused(), previous: paused() })).toBeUndefined();
    expect(pauseNews({ type: 'ADDED', object: paused() })).toBeUndefined();
    expect(pauseNews({ type: 'DELETED', object: paused(), previous: obj() })).toBeUndefined();
  });

  it('tell a pause and an unpause, "false" and a removal alike', () => {
    expect(pauseNews({ type: 'MODIFIED', object: paused(), previous: obj() })).toEqual({ change: 'paused' });
    expect(pauseNews({ type: 'MODIFIED', object: obj(), previous: paused() })).toEqual({ change: 'unpaused' });
    const off = obj({ [PAUSED_ANNOTATION]: 'false' });
    expect(pauseNews({ type: 'MODIFIED', object: off, previous: paused() })).toEqual({ change: 'unpaused' });
    expect(pauseNews({ type: 'MODIFIED', object: obj(), previous: off })).toBeUndefined();
  });

  it('tell a value that neither pauses nor is "false" or "", when it appears', () => {
    const yes = obj({ [PAUSED_ANNOTATION]: 'yes' });
    expect(pauseNews({ type: 'ADDED', object: yes })).toEqual({ unknownValue: 'yes' });
    expect(pauseNews({ type: 'MODIFIED', object: yes, previous: paused() })).toEqual({
      change: 'unpaused',
      unknownValue: 'yes',
    });
    expect(pauseNews({ type: 'MODIFIED', object: yes, previous: yes })).toBeUndefined();
  });
});

describe('pausedConditions', () => {
  it('adds the Paused condition to an object without status, with the time to the second and the generation', () => {
    expect(pausedConditions(paused(), true, NOW)).toEqual([shown]);
  });

  it('keeps every other condition (and leaves the rest of the status to the merge patch)', () => {
    const ready = { type: 'Ready', status: 'True', reason: 'Done' };
    expect(pausedConditions(paused({ state: 'done', conditions: [ready] }), true, NOW)).toEqual([ready, shown]);
  });

  it('writes nothing when the status says so already', () => {
    expect(pausedConditions(paused({ conditions: [shown] }), true, NOW)).toBeUndefined();
    // Never paused by kubeop: unpaused, it gets no condition at all.
    expect(pausedConditions(obj(undefined, { state: 'done' }), false, NOW)).toBeUndefined();
  });

  it('turns kubeop\'s condition "False" once unpaused', () => {
    const ready = { type: 'Ready', status: 'True' };
    expect(pausedConditions(obj(undefined, { conditions: [shown, ready] }), false, NOW)).toEqual([
      { ...shown, status: 'False', reason: 'NotPaused', message: expect.stringContaining('removed') },
      ready,
    ]);
  });

  it("leaves an author's own Paused condition alone when unpaused, and replaces it when paused", () => {
    const own = { type: 'Paused', status: 'True', reason: 'SpecPaused' };
    expect(showsPaused(obj(undefined, { conditions: [own] }))).toBe(false);
    expect(pausedConditions(obj(undefined, { conditions: [own] }), false, NOW)).toBeUndefined();
    expect(pausedConditions(paused({ conditions: [own] }), true, NOW)).toEqual([shown]);
  });

  it('writes nothing over a status or conditions that are not what it can merge into', () => {
    expect(pausedConditions(paused({ conditions: 'none' }), true, NOW)).toBeUndefined();
    expect(pausedConditions(paused('text'), true, NOW)).toBeUndefined();
  });
});

describe("kubeop's own pause changes", () => {
  const base = obj(undefined, { state: 'done' }, { finalizers: [F] });
  const pausedBase = paused({ state: 'done' }, { finalizers: [F] });

  it('are no news to an everyChange handler: the annotation, the condition added and turned "False"', () => {
    const showing = paused({ state: 'done', conditions: [shown] }, { finalizers: [F] });
    const cleared = obj(
      undefined,
      { state: 'done', conditions: [{ ...shown, status: 'False', reason: 'NotPaused' }] },
      { finalizers: [F] },
    );
    expect(intentFor({ type: 'MODIFIED', object: pausedBase, previous: base }, every)).toBeUndefined();
    expect(intentFor({ type: 'MODIFIED', object: showing, previous: pausedBase }, every)).toBeUndefined();
    const unpaused = obj(undefined, { state: 'done', conditions: [shown] }, { finalizers: [F] });
    expect(intentFor({ type: 'MODIFIED', object: unpaused, previous: showing }, every)).toBeUndefined();
    expect(intentFor({ type: 'MODIFIED', object: cleared, previous: unpaused }, every)).toBeUndefined();
  });

  it('do not hide a change made with them', () => {
    const relabelled = paused({ state: 'done' }, { finalizers: [F], labels: { a: 'b' } });
    expect(intentFor({ type: 'MODIFIED', object: relabelled, previous: base }, every)).toEqual(
      intent({ modified: true, reasons: [{ type: 'changed' }] }),
    );
    const otherCondition = paused({ state: 'done', conditions: [shown, { type: 'Ready', status: 'True' }] });
    expect(withoutPausedCondition(otherCondition).status).toEqual({
      state: 'done',
      conditions: [{ type: 'Ready', status: 'True' }],
    });
  });
});

/** A client answering PATCH of /status with what `answer` returns (or throws), recording each request. */
function fakeClient(answer: (body: { status: { conditions: Condition[] } }) => unknown = (b) => b) {
  const requests: Array<{ method: string; path: string; body?: unknown }> = [];
  const client = {
    request: (method: string, path: string, options: { body?: unknown } = {}) => {
      requests.push({ method, path, body: options.body });
      try {
        return Promise.resolve(answer(options.body as { status: { conditions: Condition[] } }));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  } as unknown as KubeClient;
  return { client, requests };
}

function fakeLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => lines.push({ level, message });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn') } as unknown as Logger, lines };
}

describe('showPausedCondition', () => {
  it('sends the conditions with the resourceVersion as precondition', async () => {
    const { client, requests } = fakeClient();
    expect(await showPausedCondition(client, '/apis/x/things/x', paused(), true, () => NOW)).toBe('written');
    expect(requests).toEqual([
      {
        method: 'PATCH',
        path: '/apis/x/things/x/status',
        body: { metadata: { resourceVersion: '7' }, status: { conditions: [shown] } },
      },
    ]);
  });

  it('tells a condition the schema pruned, a missing status subresource and a gone object apart', async () => {
    expect(await showPausedCondition(fakeClient(() => ({ status: {} })).client, '/p', paused(), true)).toBe('pruned');
    const missing = new KubeApiError(404, 'PATCH', '/p/status', 'NotFound', 'the server could not find it');
    const reads = fakeClient((body) => {
      if (body) throw missing;
      return paused();
    });
    expect(await showPausedCondition(reads.client, '/p', paused(), true)).toBe('no-status');
    const gone = new KubeApiError(404, 'PATCH', '/p/status', 'NotFound', 'not found', { name: 'x' });
    expect(
      await showPausedCondition(
        fakeClient(() => {
          throw gone;
        }).client,
        '/p',
        paused(),
        true,
      ),
    ).toBe('gone');
  });

  it('reads the object again after a conflict and writes over its new state', async () => {
    const conflict = new KubeApiError(409, 'PATCH', '/p/status', 'Conflict', 'modified', { name: 'x' });
    const ready = { type: 'Ready', status: 'True' };
    let patches = 0;
    const { client, requests } = fakeClient((body) => {
      if (!body) return paused({ conditions: [ready] }, { resourceVersion: '8' });
      if (++patches === 1) throw conflict;
      return body;
    });
    expect(await showPausedCondition(client, '/p', paused(), true, () => NOW)).toBe('written');
    expect(requests.at(-1)?.body).toEqual({
      metadata: { resourceVersion: '8' },
      status: { conditions: [ready, shown] },
    });
  });
});

describe('PauseGate', () => {
  const gate = (answer?: Parameters<typeof fakeClient>[0]) => {
    const { client, requests } = fakeClient(answer);
    const { logger, lines } = fakeLogger();
    const retries: Array<{ key: string; delayMs: number }> = [];
    const retryLater = (key: string, delayMs: number) => void retries.push({ key, delayMs });
    return { gate: new PauseGate({ description: every, client, logger, retryLater }), requests, lines, retries };
  };
  const spec = intent({ modified: true, reasons: [{ type: 'spec-changed', oldGeneration: 2, newGeneration: 3 }] });

  it('lets an object that is not paused pass untouched, after one lookup', () => {
    const { gate: g } = gate();
    expect(g.concerns('ns/x', spec, obj())).toBe(false);
    expect(g.concerns('ns/x', intent({ added: true }), obj(undefined, { state: 'done' }))).toBe(false);
  });

  it('keeps the work of a paused object, shows the condition once, and runs it all once unpaused', async () => {
    const { gate: g, requests, lines } = gate();
    expect(g.concerns('ns/x', spec, paused())).toBe(true);
    expect(await g.admit('ns/x', spec, paused())).toBeUndefined();
    expect(g.size).toBe(1);
    expect(requests).toHaveLength(1);
    const tick = intent({ timers: [0], reasons: [{ type: 'timer', method: 'refresh' }] });
    expect(await g.admit('ns/x', tick, paused({ conditions: [shown] }))).toBeUndefined();
    expect(requests).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'info' && l.message.includes('is paused'))).toHaveLength(1);

    const unpause = intent({ reasons: [{ type: 'unpaused' }] });
    const object = obj(undefined, { conditions: [shown] });
    expect(g.concerns('ns/x', unpause, object)).toBe(true);
    const owed = await g.admit('ns/x', unpause, object);
    expect(owed).toEqual(
      intent({
        modified: true,
        timers: [0],
        reasons: [
          { type: 'spec-changed', oldGeneration: 2, newGeneration: 3 },
          { type: 'timer', method: 'refresh' },
          { type: 'unpaused' },
        ],
      }),
    );
    expect(g.size).toBe(0);
    expect(requests.at(-1)?.body).toMatchObject({ status: { conditions: [{ status: 'False', reason: 'NotPaused' }] } });
  });

  it('keeps a paused deletion (the finalizer holds the object) and says so once', async () => {
    const { gate: g, lines } = gate();
    const deleting = paused({ conditions: [shown] }, { deletionTimestamp: 'now', finalizers: [F] });
    const sync = intent({ sync: true, reasons: [{ type: 'deleted' }] });
    expect(await g.admit('ns/x', sync, deleting)).toBeUndefined();
    expect(await g.admit('ns/x', NOTHING, deleting)).toBeUndefined();
    expect(lines.filter((l) => l.message.includes('being deleted while paused'))).toHaveLength(1);
    const unpaused = obj(undefined, { conditions: [shown] }, { deletionTimestamp: 'now', finalizers: [F] });
    expect(await g.admit('ns/x', intent({ reasons: [{ type: 'unpaused' }] }), unpaused)).toEqual(
      intent({ sync: true, reasons: [{ type: 'deleted' }, { type: 'unpaused' }] }),
    );
  });

  it('calls no @OnDeleted for an object gone while paused, and forgets its work', async () => {
    const { gate: g, lines } = gate();
    await g.admit('ns/x', spec, paused());
    const tombstone = intent({ deleted: paused(), reasons: [{ type: 'deleted' }] });
    expect(g.concerns('ns/x', tombstone, undefined)).toBe(true);
    expect(await g.admit('ns/x', tombstone, undefined)).toBeUndefined();
    expect(g.size).toBe(0);
    expect(lines.some((l) => l.message.includes('deleted while paused'))).toBe(true);
    // A new object of the same name keeps its own work.
    const added = intent({ added: true, deleted: paused(), reasons: [{ type: 'deleted' }, { type: 'added' }] });
    expect(await g.admit('ns/x', added, obj(undefined, undefined, { uid: 'u2' }))).toEqual(
      intent({ added: true, reasons: [{ type: 'added' }] }),
    );
  });

  it('turns a Paused condition left from before a restart "False" at first sight', async () => {
    const { gate: g, requests } = gate();
    const first = intent({ added: true, reasons: [{ type: 'startup' }] });
    const stale = obj(undefined, { conditions: [shown] });
    expect(g.concerns('ns/x', first, stale)).toBe(true);
    expect(await g.admit('ns/x', first, stale)).toBe(first);
    expect(requests).toHaveLength(1);
  });

  it('tries a condition write that failed again later, even when nothing else changes', async () => {
    let down = true;
    const unavailable = new KubeApiError(503, 'PATCH', '/p/status', 'ServiceUnavailable', 'down');
    const {
      gate: g,
      requests,
      lines,
      retries,
    } = gate((body) => {
      if (down) throw unavailable;
      return body;
    });
    await g.admit('ns/x', spec, paused());
    const unpaused = obj(undefined, { conditions: [shown] });
    // Unpaused, the "False" write fails: the object would show Paused=True for good.
    expect(await g.admit('ns/x', intent({ reasons: [{ type: 'unpaused' }] }), unpaused)).toBeDefined();
    expect(lines.filter((l) => l.level === 'warn').at(-1)?.message).toMatch(
      /could not set the Paused condition of ns\/x to "False": .*; trying again in 5 s/,
    );
    expect(retries.at(-1)).toEqual({ key: 'ns/x', delayMs: CONDITION_RETRY_MS });
    // The retry is a run with nothing else to do: the gate still concerns itself with it, and writes "False".
    down = false;
    expect(g.concerns('ns/x', NOTHING, unpaused)).toBe(true);
    const sent = requests.length;
    expect(await g.admit('ns/x', NOTHING, unpaused)).toEqual(NOTHING);
    expect(
      requests.slice(sent).map((r) => (r.body as { status: { conditions: Condition[] } }).status.conditions),
    ).toEqual([[expect.objectContaining({ type: 'Paused', status: 'False' })]]);
    // Written: the object is left alone again.
    expect(g.concerns('ns/x', NOTHING, obj(undefined, { conditions: [] }))).toBe(false);
  });

  it('tells a resource whose objects cannot show the condition once, and stops trying', async () => {
    const { gate: g, requests, lines } = gate(() => ({ status: {} }));
    await g.admit('ns/x', spec, paused());
    await g.admit('ns/y', spec, paused(undefined, { name: 'y', uid: 'u3' }));
    expect(requests).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', message: expect.stringContaining('declare `conditions`') },
    ]);
  });

  it('warns about a value that does not pause, and asks for a run on a pause and an unpause', () => {
    const { gate: g, lines } = gate();
    expect(g.onEvent({ type: 'ADDED', object: obj({ [PAUSED_ANNOTATION]: 'yes' }) }, 'ns/x')).toBeUndefined();
    expect(lines).toEqual([{ level: 'warn', message: expect.stringContaining('"yes"') }]);
    expect(g.onEvent({ type: 'MODIFIED', object: paused(), previous: obj() }, 'ns/x')).toEqual(NOTHING);
    expect(g.onEvent({ type: 'MODIFIED', object: obj(), previous: paused() }, 'ns/x')).toEqual(
      intent({ reasons: [{ type: 'unpaused' }] }),
    );
  });
});
