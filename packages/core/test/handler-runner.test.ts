// One handler run, against a small fake client: what it resolves or throws for each way a handler can end.
import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { ResourceHandler } from '@kubeop/core';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { Writable } from 'node:stream';
import type { RuntimeConfig } from '../src/config.js';
import { type HandlerDependencies, runHandler } from '../src/internal/run/handler-runner.js';
import { StatusWriteError } from '../src/internal/run/status-errors.js';
import { HandlerTimeoutError } from '../src/internal/run/supervise.js';
import { ThrownValueError } from '../src/internal/run/thrown.js';
import type { KubeClient } from '../src/kube/client.js';
import { KubeApiError } from '../src/kube/errors.js';
import type { KubeObject } from '../src/kube/objects.js';
import { createRootLogger } from '../src/logging.js';

/** What the next run of the handler does. */
let behaviour: (handler: ResourceHandler) => Promise<void>;

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
class Things extends ResourceHandler {
  @OnAdded() async added(): Promise<void> {
    await behaviour(this);
  }
}
const description = describeHandlerClass(Things);
const object: KubeObject = {
  apiVersion: 'example.kubeop.dev/v1',
  kind: 'Thing',
  metadata: { name: 'a', namespace: 'ns', uid: 'u1', generation: 1 },
};

/** Status patches answer with `answer` (or throw what it throws); records what was sent. */
function deps(answer: (body: unknown) => unknown, config: Partial<RuntimeConfig> = {}) {
  const sent: unknown[] = [];
  const client = {
    request: (_verb: string, _path: string, options: { body: unknown }) => {
      sent.push(options.body);
      return Promise.resolve().then(() => answer(options.body));
    },
  } as unknown as KubeClient;
  const dependencies = {
    client,
    objects: {},
    clientNode: {},
    args: {},
    config: { name: 'test', retry: { baseSeconds: 1, maxSeconds: 0.05 }, handlerTimeoutSeconds: 0, ...config },
    logger: createRootLogger({
      level: 'error',
      format: 'text',
      stream: new Writable({ write: (_c, _e, done) => done() }),
    }),
  } as unknown as HandlerDependencies;
  return { dependencies, sent };
}
const context = { reasons: [], attempt: 1, shutdown: new AbortController().signal, onPruned: () => undefined };
const run = (dependencies: HandlerDependencies) => runHandler(description, 'added', object, dependencies, context);

describe('runHandler', () => {
  it('resolves once the handler and its status writes are done, with its requeue-after', async () => {
    behaviour = async (handler) => {
      await handler.setStatus({ state: 'done' });
      handler.requeueAfter(30);
    };
    const { dependencies, sent } = deps((body) => body);
    await expect(run(dependencies)).resolves.toEqual({ requeueAfterSeconds: 30 });
    expect(sent).toEqual([{ status: { state: 'done' } }]);
  });

  it('tells the handler whether the operator runs with --dry-run (this.dryRun)', async () => {
    const seen: boolean[] = [];
    behaviour = async (handler) => {
      seen.push(handler.dryRun);
      await Promise.resolve();
    };
    await run(deps((body) => body).dependencies);
    await run(deps((body) => body, { dryRun: true }).dependencies);
    await run(deps((body) => body, { dryRun: false }).dependencies);
    expect(seen).toEqual([false, true, false]);
  });

  it('throws a failure for `throw undefined` and for a rejection with it, keeping the value', async () => {
    for (const end of [
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
        throw undefined;
      },
      () => Promise.reject(undefined as unknown as Error),
    ]) {
      behaviour = async () => end();
      const thrown = await run(deps((body) => body).dependencies).then(
        () => 'resolved',
        (error: unknown) => error,
      );
      expect(thrown).toBeInstanceOf(ThrownValueError);
      expect((thrown as ThrownValueError).value).toBeUndefined();
    }
  });

  it('wraps a thrown non-Error, keeping it as the cause', async () => {
    const value = { code: 42 };
    behaviour = () => Promise.reject(value as unknown as Error);
    const thrown = (await run(deps((body) => body).dependencies).catch((error: unknown) => error)) as ThrownValueError;
    expect(thrown).toBeInstanceOf(ThrownValueError);
    expect(thrown.cause).toBe(value);
    expect(thrown.message).toContain('{"code":42}');
  });

  it("throws the handler's own Error unchanged, even when the status write failed too", async () => {
    const error = new Error('boom');
    behaviour = async (handler) => {
      void handler.setStatus({ state: 'x' });
      throw error;
    };
    await expect(run(deps(() => Promise.reject(new Error('down'))).dependencies)).rejects.toBe(error);
  });

  it('throws a StatusWriteError holding the unwritten status when writes keep failing transiently', async () => {
    behaviour = async (handler) => {
      void handler.setStatus({ state: 'done', phase: 'A' });
      void handler.setStatus({ phase: 'B' });
      await Promise.resolve();
    };
    const unavailable = new KubeApiError(503, 'PATCH', '/x/status', 'ServiceUnavailable', 'down');
    const thrown = (await run(deps(() => Promise.reject(unavailable)).dependencies).catch(
      (e: unknown) => e,
    )) as StatusWriteError;
    expect(thrown).toBeInstanceOf(StatusWriteError);
    expect(thrown.cause).toBe(unavailable);
    expect(thrown.unsent).toEqual({ state: 'done', phase: 'B' });
  });

  it("throws a HandlerTimeoutError at the timeout and aborts the handler's signal", async () => {
    let signal: AbortSignal | undefined;
    behaviour = (handler) => {
      signal = handler.signal;
      return new Promise(() => undefined);
    };
    const thrown = await run(deps((body) => body, { handlerTimeoutSeconds: 0.05 }).dependencies).catch(
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(HandlerTimeoutError);
    expect(signal?.aborted).toBe(true);
  });

  it("gives this.logger the object's key and event, and this.signal the shutdown, both made on first read", async () => {
    const lines: string[] = [];
    const { dependencies } = deps((body) => body);
    dependencies.logger = createRootLogger({
      level: 'info',
      format: 'json',
      stream: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }),
    });
    const shutdown = new AbortController();
    let aborted: boolean | undefined;
    behaviour = async (handler) => {
      handler.logger.info('hello');
      shutdown.abort();
      aborted = handler.signal.aborted;
      await Promise.resolve();
    };
    await runHandler(description, 'added', object, dependencies, { ...context, shutdown: shutdown.signal });
    expect(aborted).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'hello', object: 'ns/a', event: 'added' });
  });

  it('hands the handler a copy: changing its object or status leaves the cached one as it was', async () => {
    const cached: KubeObject = { ...object, spec: { size: 1 }, status: { state: 'old', list: [1] } };
    behaviour = async (handler) => {
      (handler.object.spec as { size: number }).size = 2;
      (handler.status as { list: number[] }).list.push(2);
      await Promise.resolve();
    };
    await runHandler(description, 'added', cached, deps((body) => body).dependencies, context);
    expect(cached).toEqual({ ...object, spec: { size: 1 }, status: { state: 'old', list: [1] } });
  });
});
