// Warning Events: repeats of one failure count on one Event, even when they come before its first write is done.
import { describe, expect, it } from '@jest/globals';
import { eventually } from '@kubeop/testing';
import { Writable } from 'node:stream';
import { EventRecorder } from '../src/internal/controller/events.js';
import type { KubeClient } from '../src/kube/client.js';
import type { KubeObject } from '../src/kube/objects.js';
import { createRootLogger } from '../src/logging.js';

const object: KubeObject = { apiVersion: 'v1', kind: 'Thing', metadata: { name: 'a', namespace: 'ns', uid: 'u1' } };
const logger = createRootLogger({
  level: 'error',
  format: 'text',
  stream: new Writable({ write: (_c, _e, done) => done() }),
});

describe('EventRecorder', () => {
  it('counts repeats on the Event being created, not on a second one', async () => {
    const requests: Array<{ verb: string; body: unknown }> = [];
    let release!: () => void;
    const created = new Promise<void>((resolve) => (release = resolve));
    const client = {
      request: async (verb: string, _path: string, options: { body: unknown }) => {
        requests.push({ verb, body: options.body });
        if (verb === 'POST') await created;
        return { metadata: { name: 'a.1' } };
      },
    } as unknown as KubeClient;
    const recorder = new EventRecorder(client, 'test', logger);
    const failure = { type: 'Warning' as const, reason: 'HandlerFailed', message: 'boom' };
    recorder.record(object, failure);
    recorder.record(object, failure);
    recorder.record(object, { ...failure, message: 'another' });
    await eventually(() => requests.length === 2, 'both first writes');
    release();
    await eventually(() => requests.length === 3, 'the repeat');
    expect(requests.map((r) => r.verb)).toEqual(['POST', 'POST', 'PATCH']);
    expect(requests[2]!.body).toMatchObject({ count: 2 });
  });
});
