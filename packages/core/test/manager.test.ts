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
} as unknown as RuntimeConfig;

function controller(name: string, state: { isSynced: boolean; lastProgressAt: number }): ResourceController {
  // A getter, not a copy: the tests change the watcher's state after building the manager.
  const watcher = {
    name,
    get isSynced() {
      return state.isSynced;
    },
    get lastProgressAt() {
      return state.lastProgressAt;
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
});
