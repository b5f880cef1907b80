// The version constants must be the versions the shipped go.mod files build.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ETCD_VERSION, KUBERNETES_VERSION } from '../src/versions.js';

const goMod = (name: string): string => readFileSync(new URL(`../go/${name}/go.mod`, import.meta.url), 'utf8');

describe('versions', () => {
  test('KUBERNETES_VERSION is what go/kube-apiserver requires', () => {
    expect(goMod('kube-apiserver')).toMatch(new RegExp(`^require k8s\\.io/kubernetes ${KUBERNETES_VERSION.replace(/\./g, '\\.')}$`, 'm'));
  });

  test('ETCD_VERSION is what go/etcd requires', () => {
    expect(goMod('etcd')).toMatch(new RegExp(`^require go\\.etcd\\.io/etcd/server/v3 ${ETCD_VERSION.replace(/\./g, '\\.')}$`, 'm'));
  });

  test('every staging module is pinned to the matching v0 tag', () => {
    const staging = KUBERNETES_VERSION.replace(/^v1\./, 'v0.');
    const replaces = [...goMod('kube-apiserver').matchAll(/^\s*(k8s\.io\/[\w-]+) => k8s\.io\/[\w-]+ (v\S+)$/gm)];
    expect(replaces.length).toBeGreaterThan(20);
    expect(replaces.filter(([, , version]) => version !== staging)).toEqual([]);
  });
});
