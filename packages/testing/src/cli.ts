#!/usr/bin/env node
// kubeop-control-plane: runs a local control plane until Ctrl-C, or only prepares the binaries (--binaries-only).
import './runtime-check.js';
import { chmod, copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveBinaries } from './binaries.js';
import { formatDuration } from './build.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { KUBERNETES_VERSION } from './versions.js';
import { TestingUsageError } from './errors.js';

const usage = `Usage: kubeop-control-plane [options]

Starts etcd and kube-apiserver ${KUBERNETES_VERSION} on loopback ports and keeps them running until Ctrl-C.
The first run builds the binaries with Go (minutes) unless KUBEBUILDER_ASSETS points at existing ones.

Options:
  --controller-manager    Also run kube-controller-manager (garbage collection, namespace deletion);
                          with --binaries-only, also build or find it
  --kubeconfig <path>     Also write the kubeconfig here (default: .kubeop/kubeconfig)
  --start-timeout <ms>    Time allowed to become ready (default: 60000)
  --binaries-only         Only build or find the binaries and print their paths (for CI caches)
  -h, --help              Show this help
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string', default: '.kubeop/kubeconfig' },
      'start-timeout': { type: 'string', default: '60000' },
      'binaries-only': { type: 'boolean', default: false },
      'controller-manager': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const startTimeoutMs = Number(values['start-timeout']);
  if (!Number.isInteger(startTimeoutMs) || startTimeoutMs <= 0)
    throw new TestingUsageError(`--start-timeout must be a positive integer, not ${values['start-timeout']}`);

  const controllerManager = values['controller-manager'];
  const binaries = await resolveBinaries({ controllerManager });
  if (values['binaries-only']) {
    const kcm = binaries.kubeControllerManager ? `kube-controller-manager: ${binaries.kubeControllerManager}\n` : '';
    process.stdout.write(`etcd: ${binaries.etcd}\nkube-apiserver: ${binaries.kubeApiServer}\n${kcm}`);
    return 0;
  }

  const started = Date.now();
  const plane = await startControlPlane({ binaries, startTimeoutMs, controllerManager });
  const kubeconfig = resolve(values.kubeconfig);
  try {
    await mkdir(dirname(kubeconfig), { recursive: true });
    await copyFile(plane.kubeconfigPath, kubeconfig);
    await chmod(kubeconfig, 0o600);
  } catch (error) {
    await plane.stop();
    throw error;
  }
  process.stdout.write(
    `Control plane ready in ${formatDuration(Date.now() - started)} (Kubernetes ${KUBERNETES_VERSION}).\n` +
      `  server:     ${plane.server}\n  etcd:       ${plane.etcdUrl}\n  kubeconfig: ${kubeconfig}\n  logs:       ${plane.logDir}\n` +
      `  controller-manager: ${controllerManager ? 'running (garbage collection, namespace deletion)' : 'off (--controller-manager to run it)'}\n\n` +
      `  export KUBECONFIG=${kubeconfig}\n\nPress Ctrl-C to stop.\n`,
  );

  const { reason, crashed } = await untilSignalOrCrash(plane, controllerManager);
  process.stdout.write(`\n${reason}; stopping (Ctrl-C again to kill at once).\n`);
  process.once('SIGINT', () => process.exit(130)); // the exit hook SIGKILLs the servers
  const ours = await readFile(plane.kubeconfigPath, 'utf8');
  await plane.stop();
  // Remove the copy only if it is still ours: it points at a server that is gone.
  if ((await readFile(kubeconfig, 'utf8').catch(() => undefined)) === ours) await rm(kubeconfig, { force: true });
  return crashed ? 1 : 0;
}

function untilSignalOrCrash(
  plane: ControlPlane,
  withControllerManager: boolean,
): Promise<{ reason: string; crashed: boolean }> {
  return new Promise((resolveWith) => {
    const done = (reason: string, crashed = true): void => {
      clearInterval(watchdog);
      process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
      resolveWith({ reason, crashed });
    };
    const onSignal = (signal: NodeJS.Signals): void => done(`Got ${signal}`, false);
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    // Also keeps the event loop alive (the servers' child processes are unref'd).
    const watchdog = setInterval(() => {
      const { etcd, kubeApiServer, controllerManager } = plane.processes;
      if (etcd === undefined) done(`etcd exited (see ${plane.logDir})`);
      else if (kubeApiServer === undefined) done(`kube-apiserver exited (see ${plane.logDir})`);
      else if (withControllerManager && controllerManager === undefined)
        done(`kube-controller-manager exited (see ${plane.logDir})`);
    }, 1_000);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `kubeop-control-plane: ${error instanceof Error ? error.message : String(error)} (--help for usage)\n`,
    );
    process.exit(1);
  },
);
