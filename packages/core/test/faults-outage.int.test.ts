// kube-apiserver stopped for ~20 s under a running operator: the watch backs off (growing gaps, few warnings),
// logs its recovery once, and handles what is created after the return. On a control plane of its own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomResource, OnAdded } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { type ControlPlane, createTestNamespace, eventually, startControlPlane } from '@kubeop/testing';
import { installCrd, objects, parseLogs, runOperator, stopAllOperators } from './support/operator.js';
import { testResource } from './support/test-resource.js';

const handledAt = new Map<string, number>();

@CustomResource(testResource)
class Recorder extends ResourceHandler {
  @OnAdded() async added(o: CustomObject) {
    handledAt.set(o.metadata.name, Date.now());
    this.status = { state: 'done' };
  }
}

/** The outage itself: the one deliberate wait of this test. */
const holdOutage = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let plane: ControlPlane;
beforeAll(async () => {
  plane = await startControlPlane();
  await installCrd(plane.kubeConfig, Recorder);
});
afterAll(async () => {
  await stopAllOperators();
  await plane?.stop();
});

describe('kube-apiserver down for 20 s', () => {
  it('backs off with growing gaps, warns rarely, logs the recovery once and handles new objects', async () => {
    const namespace = await createTestNamespace(plane.kubeConfig, 'outage');
    const running = await runOperator([Recorder], { kubeconfigPath: plane.kubeconfigPath, namespace });
    const items = objects(plane.kubeConfig, testResource, namespace);
    await items.create('before');
    await eventually(() => handledAt.has('before'), 'the object created before the outage');
    const logsBefore = running.logs.length;
    const stats = running.operator.controllerStats[0]!.watcher;
    const errorsBefore = stats.restarts.error;

    const stoppedAt = Date.now();
    await plane.stopApiServer();
    await holdOutage(20_000);
    const restartingAt = Date.now();
    await plane.startApiServer();
    const returnedAt = Date.now();

    // Right after a start the custom resource may not be served yet (404): retry the creation.
    await eventually(() => items.create('after').then(() => true), 'creating an object after the return', 60_000);
    await eventually(() => handledAt.has('after'), 'the object created after the return', 60_000);
    const firstHandledMs = handledAt.get('after')! - returnedAt;
    await eventually(() => running.logText().includes('recovered after'), 'the recovery logged');

    const lines = parseLogs(running.logs.slice(logsBefore));
    const failures = lines.filter((l) => /^watch of .* failed \(attempt \d+/.test(String(l.message)));
    const attempts = failures.map((l) => Number(/attempt (\d+)/.exec(String(l.message))![1]));
    const times = failures.map((l) => Date.parse(String(l.timestamp)));
    const gaps = times.slice(1).map((t, i) => (t - times[i]!) / 1000);
    const warnings = failures.filter((l) => l.level === 'warn');
    const recovered = lines.filter((l) => String(l.message).includes('recovered after'));
    // While nothing listened: from the first failure (once the stopping server dropped the watch) to the restart.
    // After it, a starting server may ask for quick retries (503, 429 with retryAfterSeconds), rightly.
    const refused = times.filter((t) => t < restartingAt);
    const refusedGaps = gaps.slice(0, refused.length - 1);
    const refusedS = (restartingAt - times[0]!) / 1000;
    process.stderr.write(
      `[outage] API server stopping ${((times[0]! - stoppedAt) / 1000).toFixed(1)} s, then refusing ${refusedS.toFixed(1)} s ` +
        `(${refused.length} attempts) and starting ${((returnedAt - restartingAt) / 1000).toFixed(1)} s: ${attempts.length} failed attempts, ` +
        `${warnings.length} warnings, gaps ${gaps.map((g) => g.toFixed(1)).join(' ')} s; ${String(recovered[0]?.message)}; ` +
        `first handled object ${firstHandledMs} ms after the API server was ready again\n`,
    );

    // Counted up, never reset while the server stays unreachable (it used to log "attempt 1" every 0.45 s).
    expect(attempts).toEqual(attempts.map((_, i) => i + 1));
    expect(stats.restarts.error - errorsBefore).toBe(attempts.length);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(refused.length).toBeLessThan(refusedS / 2); // a mean gap above 2 s, where it was 0.45 s
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(refusedGaps.slice(-2))).toBeGreaterThan(3 * mean(refusedGaps.slice(0, 2)));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThan(attempts.length / 2);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.message).toMatch(
      new RegExp(`recovered after \\d+ s \\(${attempts.length} failed attempts\\)`),
    );
  });
});
