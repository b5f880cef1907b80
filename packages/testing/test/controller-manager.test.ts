// kube-controller-manager: its flags, its build from kube-apiserver's module, and asking for it without its binary.
import { describe, expect, test } from '@jest/globals';
import { startControlPlane } from '@kubeop/testing';
import { kubeApiServerTarget, kubeControllerManagerTarget } from '../src/build.js';
import { controllerManagerArgs } from '../src/controller-manager.js';

describe('controllerManagerArgs', () => {
  const args = controllerManagerArgs({
    kubeconfigPath: '/d/controller-manager.kubeconfig',
    port: 4567,
    servingCert: '/d/certs/serving.crt',
    servingKey: '/d/certs/serving.key',
    extraFlags: ['--v=4'],
  });

  test('loopback, the given port and certificate, no leader election, only the controllers that need no nodes', () => {
    expect(args).toEqual([
      '--kubeconfig=/d/controller-manager.kubeconfig',
      '--bind-address=127.0.0.1',
      '--secure-port=4567',
      '--tls-cert-file=/d/certs/serving.crt',
      '--tls-private-key-file=/d/certs/serving.key',
      '--leader-elect=false',
      '--controllers=garbage-collector-controller,namespace-controller,deployment-controller',
      '--use-service-account-credentials=false',
      '--v=4',
    ]);
  });
});

describe('kubeControllerManagerTarget', () => {
  test('builds from the same module, version and version stamp as kube-apiserver', () => {
    expect(kubeControllerManagerTarget.moduleDir).toBe(kubeApiServerTarget.moduleDir);
    expect(kubeControllerManagerTarget.version).toBe(kubeApiServerTarget.version);
    expect(kubeControllerManagerTarget.ldflags).toBe(kubeApiServerTarget.ldflags);
    expect(kubeControllerManagerTarget.ldflags).toContain('-X k8s.io/component-base/version.gitVersion=v1.37.2');
    expect(kubeControllerManagerTarget.packagePath).toBe('k8s.io/kubernetes/cmd/kube-controller-manager');
  });
});

describe('startControlPlane({ controllerManager: true })', () => {
  test('with binaries that lack kube-controller-manager: says so before starting anything', async () => {
    const binaries = { etcd: '/nonexistent/etcd', kubeApiServer: '/nonexistent/kube-apiserver', dir: '/nonexistent' };
    await expect(startControlPlane({ controllerManager: true, binaries })).rejects.toThrow(
      'controllerManager: true needs binaries.kubeControllerManager',
    );
  });
});
