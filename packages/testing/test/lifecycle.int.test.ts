// Control planes of their own: two at once, restarting kube-apiserver after SIGKILL, etcd compaction, clean stop.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { startControlPlane, type ControlPlane } from '@kubeop/testing';
import { isAlive } from './support/fake-bin.js';

let first: ControlPlane;
let second: ControlPlane;

beforeAll(async () => {
  [first, second] = await Promise.all([startControlPlane(), startControlPlane()]);
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

const core = (plane: ControlPlane): CoreV1Api => plane.kubeConfig.makeApiClient(CoreV1Api);

describe('control planes of their own', () => {
  test('two run side by side on different ports, each with its own data', async () => {
    expect(new Set([first.server, second.server, first.etcdUrl, second.etcdUrl]).size).toBe(4);
    await core(first).createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'only-in-first' } },
    });
    const names = async (plane: ControlPlane) =>
      (await core(plane).listNamespacedConfigMap({ namespace: 'default' })).items.map((item) => item.metadata?.name);
    expect(await names(first)).toContain('only-in-first');
    expect(await names(second)).not.toContain('only-in-first');
  });

  test('compactEtcd returns the current revision, which grows with writes', async () => {
    const before = await first.compactEtcd();
    expect(before).toBeGreaterThan(1);
    await core(first).createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'after-compaction' } },
    });
    expect(await first.compactEtcd()).toBeGreaterThan(before);
  });

  test('kube-apiserver comes back after SIGKILL, on the same port and data', async () => {
    const pid = first.processes.kubeApiServer!;
    await first.stopApiServer({ signal: 'SIGKILL' });
    expect(first.processes.kubeApiServer).toBeUndefined();
    expect(isAlive(pid)).toBe(false);
    await expect(core(first).readNamespace({ name: 'default' })).rejects.toThrow();

    await first.startApiServer();
    expect(first.processes.kubeApiServer).not.toBe(pid);
    const configMap = await core(first).readNamespacedConfigMap({ namespace: 'default', name: 'only-in-first' });
    expect(configMap.metadata?.name).toBe('only-in-first');
  });

  test('stop() ends both processes and removes the temporary folder', async () => {
    const { etcd, kubeApiServer } = second.processes;
    expect(etcd).toBeDefined();
    expect(kubeApiServer).toBeDefined();
    await second.stop();
    expect(isAlive(etcd!)).toBe(false);
    expect(isAlive(kubeApiServer!)).toBe(false);
    expect(second.processes).toEqual({ etcd: undefined, kubeApiServer: undefined });
    expect(existsSync(second.dir)).toBe(false);
  });
});
