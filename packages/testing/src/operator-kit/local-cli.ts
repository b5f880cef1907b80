#!/usr/bin/env node
// kubeop-local: runs a command (your operator) with KUBECONFIG pointing at a fresh local control plane, then stops both.
import '../runtime-check.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { constants } from 'node:os';
import { startControlPlane } from '../control-plane.js';
import { parseLocalArgs } from './local-args.js';

const usage = `Usage: kubeop-local [--controller-manager] [--kubeconfig <path>] <command> [args...]

Starts etcd and kube-apiserver on loopback ports (built with Go on first use, then cached), runs <command> with
KUBECONFIG set to them, and stops them when the command exits; exits with the command's code. Ctrl-C stops the
command (it gets the terminal's SIGINT), SIGTERM is passed on to it. Example:

  kubeop-local node dist/main.js --create-crd

Options:
  --controller-manager    Also run kube-controller-manager (garbage collection of owned objects, namespace deletion)
  --kubeconfig <path>     Also write the kubeconfig here, for kubectl (default: .kubeop/kubeconfig)
  -h, --help              Show this help
`;

async function main(): Promise<number> {
  const options = parseLocalArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  const say = (line: string) => process.stderr.write(`[kubeop-local] ${line}\n`);
  say(
    `starting a local control plane (etcd + kube-apiserver${options.controllerManager ? ' + kube-controller-manager' : ''}; built with Go on first use, minutes)`,
  );
  const plane = await startControlPlane({ controllerManager: options.controllerManager });
  const kubeconfig = resolve(options.kubeconfig);
  let ours: string | undefined;
  let child: ChildProcess | undefined;
  try {
    ours = await readFile(plane.kubeconfigPath, 'utf8');
    await mkdir(dirname(kubeconfig), { recursive: true });
    await copyFile(plane.kubeconfigPath, kubeconfig);
    await chmod(kubeconfig, 0o600);
    say(`control plane ready at ${plane.server}; for kubectl: export KUBECONFIG=${kubeconfig}`);
    const [command, ...args] = options.command as [string, ...string[]];
    const running = spawn(command, args, {
      stdio: 'inherit',
      // A local API server calls webhooks on loopback: register them there (an explicit setting wins).
      env: { KUBEOP_INSTALL_WEBHOOKS: 'true', ...process.env, KUBECONFIG: plane.kubeconfigPath },
    });
    child = running;
    // The terminal's Ctrl-C reaches the command too (same process group): passing it on would be a second signal,
    // which an operator takes as "exit at once". SIGTERM comes to this process alone, so it is passed on.
    process.on('SIGINT', () => say('SIGINT: waiting for the command to stop'));
    process.on('SIGTERM', () => running.kill('SIGTERM'));
    const code = await new Promise<number>((resolveCode) => {
      running.once('error', (error) => {
        say(`could not run ${command}: ${error.message}`);
        resolveCode(127);
      });
      running.once('exit', (exitCode, signal) =>
        resolveCode(exitCode ?? (signal ? 128 + constants.signals[signal] : 1)),
      );
    });
    child = undefined;
    say(`the command exited with code ${code}; stopping the control plane`);
    return code;
  } finally {
    child?.kill('SIGKILL');
    await plane.stop();
    // Remove the copy only if it is still ours: it points at a server that is gone.
    if (ours && (await readFile(kubeconfig, 'utf8').catch(() => undefined)) === ours)
      await rm(kubeconfig, { force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `kubeop-local: ${error instanceof Error ? error.message : String(error)} (--help for usage)\n`,
    );
    process.exit(1);
  },
);
