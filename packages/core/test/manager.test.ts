import { describe, expect, it } from '@jest/globals';
import type { RuntimeConfig } from '../src/config.js';
import type { ResourceController } from '../src/internal/controller/controller.js';
import { type Elector, Manager } from '../src/internal/manager/manager.js';
import { createRootLogger } from '../src/logging.js';
import { Writable } from 'node:stream';

const logger = createRootLogger({
  level: 'error',
  format: 'json',
  stream: new Writable({ write: (_c, _e, done) => done() }),
});
const config = {
  watch: { watchdogSeconds: 180, timeoutSeconds: 300 },
  shutdownTimeoutSeconds: 1,
  leaderElection: undefined,
  probes: { watchFailureToleranceSeconds: 60, unauthorizedToleranceSeconds: 60 },
} as unknown as RuntimeConfig;

interface WatcherState {
  isSynced: boolean;
  lastProgressAt: number;
  failing?: { since: number; reason: string };
}

function controller(name: string, state: WatcherState): ResourceController {
  // A getter, not a copy: the tests change the watcher's state after building the manager.
  const watcher = {
    name,
    get isSynced() {
      return state.isSynced;
    },
    get lastProgressAt() {
      return state.lastProgressAt;
    },
    get failing() {
      return state.failing;
    },
  };
  return {
    resourceName: name,
    watcher,
    watchers: [watcher],
    start: () => undefined,
    stop: async () => true,
    abandon: () => undefined,
  } as unknown as ResourceController;
}

const failing = (checks: ReturnType<Manager['readyChecks']>) => checks.map((c) => c.check()).filter((r) => r !== true);

describe('Manager probes', () => {
  it('is ready once every resource was listed', () => {
    const watcher = { isSynced: false, lastProgressAt: Date.now() };
    const manager = new Manager({ config, logger, controllers: [controller('things.example.com', watcher)] });
    manager.start();
    expect(failing(manager.readyChecks())).toEqual(['not listed yet: things.example.com']);
    watcher.isSynced = true;
    expect(failing(manager.readyChecks())).toEqual([]);
  });

  it('fails liveness when a watch loop made no progress well past its watchdog', () => {
    const watcher = { isSynced: true, lastProgressAt: Date.now() - 179_000 };
    const manager = new Manager({ config, logger, controllers: [controller('things.example.com', watcher)] });
    manager.start();
    expect(failing(manager.healthChecks())).toEqual([]);
    watcher.lastProgressAt = Date.now() - 300_000;
    expect(failing(manager.healthChecks())).toEqual(['the watch of things.example.com made no progress for 300 s']);
  });

  it('makes a standby ready as soon as it has read the lease, though it watches nothing', () => {
    const elector = {
      isLeader: false,
      isReady: false,
      lost: new AbortController().signal,
      acquire: () => new Promise<boolean>(() => undefined),
      release: async () => {},
      stop: () => {},
    };
    const watcher = { isSynced: false, lastProgressAt: 0 };
    const manager = new Manager({
      config,
      logger,
      controllers: [controller('things.example.com', watcher)],
      elector: elector as Elector,
    });
    manager.start();
    expect(failing(manager.readyChecks())).toEqual(['the lease has not been read yet']);
    elector.isReady = true;
    expect(failing(manager.readyChecks())).toEqual([]);
    // Not started: an idle standby's watch is not stuck.
    expect(failing(manager.healthChecks())).toEqual([]);
  });

  it('fails readiness while a resource could not be listed or watched for longer than the tolerance', () => {
    const watcher: WatcherState = { isSynced: true, lastProgressAt: Date.now() };
    const manager = new Manager({ config, logger, controllers: [controller('things.example.com', watcher)] });
    manager.start();
    watcher.failing = { since: Date.now() - 59_000, reason: 'GET /apis/x: 404' };
    expect(failing(manager.readyChecks())).toEqual([]);
    watcher.failing = { since: Date.now() - 90_000, reason: 'GET /apis/x: 404' };
    expect(failing(manager.readyChecks())).toEqual([
      'things.example.com cannot be listed or watched for 90 s: GET /apis/x: 404',
    ]);
    // Not a liveness matter: a restart brings no CRD back and no API server up.
    expect(failing(manager.healthChecks())).toEqual([]);
    watcher.failing = undefined;
    expect(failing(manager.readyChecks())).toEqual([]);
  });

  it('fails liveness once the credentials were refused for longer than the tolerance', () => {
    const unauthorized: { refusedForMs: number | undefined } = { refusedForMs: undefined };
    const watcher = { isSynced: true, lastProgressAt: Date.now() };
    const manager = new Manager({
      config,
      logger,
      controllers: [controller('things.example.com', watcher)],
      unauthorized,
    });
    manager.start();
    expect(failing(manager.healthChecks())).toEqual([]);
    unauthorized.refusedForMs = 60_000;
    expect(failing(manager.healthChecks())).toEqual([]);
    unauthorized.refusedForMs = 61_000;
    expect(failing(manager.healthChecks())).toEqual([
      'the API server has refused the credentials (401 Unauthorized) for 61 s (a revoked or expired token?); a restart reads them again',
    ]);
  });

  it('reports neither with a tolerance of 0', () => {
    const never = { ...config, probes: { watchFailureToleranceSeconds: 0, unauthorizedToleranceSeconds: 0 } };
    const watcher = { isSynced: true, lastProgressAt: Date.now(), failing: { since: 0, reason: 'down' } };
    const manager = new Manager({
      config: never,
      logger,
      controllers: [controller('things.example.com', watcher)],
      unauthorized: { refusedForMs: 1e9 },
    });
    manager.start();
    expect(failing(manager.readyChecks())).toEqual([]);
    expect(failing(manager.healthChecks())).toEqual([]);
  });
});

describe('Manager leader tasks', () => {
  function elector(): Elector & { lead(): void } {
    let lead = (): void => undefined;
    const leading = new Promise<boolean>((resolve) => (lead = () => resolve(true)));
    const state = { isLeader: false };
    return {
      acquire: async () => {
        const result = await leading;
        state.isLeader = true;
        return result;
      },
      lost: new AbortController().signal,
      release: async () => undefined,
      stop: () => undefined,
      get isLeader() {
        return state.isLeader;
      },
      isReady: true,
      lead: () => lead(),
    };
  }

  it('start only once leading, and are aborted when the manager stops', async () => {
    const signals: AbortSignal[] = [];
    const leader = elector();
    const manager = new Manager({
      config,
      logger,
      controllers: [controller('things.example.com', { isSynced: true, lastProgressAt: Date.now() })],
      elector: leader,
      leaderTasks: [
        {
          name: 'migration',
          run: (signal) => {
            signals.push(signal);
            return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
          },
        },
      ],
    });
    manager.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(signals).toHaveLength(0); // a standby runs none
    leader.lead();
    const deadline = Date.now() + 10_000;
    while (signals.length === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
    await manager.stop();
    expect(signals[0]!.aborted).toBe(true);
  });
});
