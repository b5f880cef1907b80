// The version constants must be the versions the shipped go.mod files build.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ETCD_VERSION, KUBERNETES_VERSION } from '../src/versions.js';

const goFile = (path: string): string => readFileSync(new URL(`../go/${path}`, import.meta.url), 'utf8');
const goMod = (name: string): string => goFile(`${name}/go.mod`);

describe('versions', () => {
  test('KUBERNETES_VERSION is what go/kubernetes requires', () => {
    expect(goMod('kubernetes')).toMatch(
      new RegExp(`^require k8s\\.io/kubernetes ${KUBERNETES_VERSION.replace(/\./g, '\\.')}$`, 'm'),
    );
  });

  test('ETCD_VERSION is what go/etcd requires', () => {
    expect(goMod('etcd')).toMatch(
      new RegExp(`^require go\\.etcd\\.io/etcd/server/v3 ${ETCD_VERSION.replace(/\./g, '\\.')}$`, 'm'),
    );
  });

  test('go/kubernetes pins both main packages, so `go mod tidy` keeps what each needs', () => {
    const tools = goFile('kubernetes/tools.go');
    expect(tools).toContain('_ "k8s.io/kubernetes/cmd/kube-apiserver"');
    expect(tools).toContain('_ "k8s.io/kubernetes/cmd/kube-controller-manager"');
  });

  test('every staging module is pinned to the matching v0 tag', () => {
    const staging = KUBERNETES_VERSION.replace(/^v1\./, 'v0.');
    const replaces = [...goMod('kubernetes').matchAll(/^\s*(k8s\.io\/[\w-]+) => k8s\.io\/[\w-]+ (v\S+)$/gm)];
    expect(replaces.length).toBeGreaterThan(20);
    expect(replaces.filter(([, , version]) => version !== staging)).toEqual([]);
  });
});
