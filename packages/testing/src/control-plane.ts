// Starts etcd, kube-apiserver and optionally kube-controller-manager on loopback ports with fresh certificates, like envtest.
import type { KubeConfig } from '@kubernetes/client-node';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerArgs, apiServerReadyz, defaultNamespaceExists, type ClientTls } from './apiserver.js';
import { apiServerTracingFlags, type ApiServerTracingOptions } from './apiserver-tracing.js';
import { resolveBinaries, type Binaries } from './binaries.js';
import { generateCertificates, type Certificates } from './certs.js';
import { controllerManagerArgs, controllerManagerHealthz } from './controller-manager.js';
import { compactEtcd, etcdArgs, etcdHealth } from './etcd.js';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig.js';
import { freePorts } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';
import { waitUntilReady } from './wait.js';
import { ControlPlaneStateError } from './errors.js';

export interface ControlPlaneOptions {
  /**
   * Also run kube-controller-manager (garbage collector and namespace controllers only), started once kube-apiserver
   * is ready, so owned objects are collected and deleted namespaces go away as in a cluster. Defaults to false.
   */
  controllerManager?: boolean;
  /** Time allowed for all servers to become ready, together (binaries are resolved first). Defaults to 60000. */
  startTimeoutMs?: number;
  /** Binaries to run. Defaults to `resolveBinaries()`, which builds them with Go the first time. */
  binaries?: Binaries;
  /** Folder for the servers' logs (`<name>.log`); it is kept by stop(). Defaults to `logs` in the temporary folder. */
  logDir?: string;
  /** Appended to the kube-apiserver command line (later flags win). */
  extraApiServerFlags?: string[];
  /**
   * Turns kube-apiserver's own tracing on, exporting by OTLP gRPC to `endpoint`: its spans join the traces of the
   * kit's admin (system:masters) when it sends a `traceparent`, and it sends its own to webhooks. Defaults to off.
   */
  apiServerTracing?: ApiServerTracingOptions;
  /** Appended to the kube-controller-manager command line. */
  extraControllerManagerFlags?: string[];
  /** Appended to the etcd command line. */
  extraEtcdFlags?: string[];
  /** How long stop() waits after SIGTERM before SIGKILL, per process. Defaults to 10000. */
  stopTimeoutMs?: number;
}

/** A running etcd + kube-apiserver pair, reachable as cluster-admin. */
export interface ControlPlane {
  /** Logged in as `admin` (group system:masters, so RBAC allows everything). */
  readonly kubeConfig: KubeConfig;
  /** A kubeconfig file (context `kubeop-test`, certificates embedded), removed by stop(). */
  readonly kubeconfigPath: string;
  /** The kube-apiserver URL, `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** The etcd client URL, `http://127.0.0.1:<port>`. */
  readonly etcdUrl: string;
  readonly logDir: string;
  /** The temporary folder (etcd data, certificates, kubeconfig). Removed by stop() unless KUBEOP_KEEP_TEMP=1. */
  readonly dir: string;
  /** Process ids of the servers; undefined for one that is not running (or, for the controller-manager, not asked for). */
  readonly processes: {
    etcd: number | undefined;
    kubeApiServer: number | undefined;
    controllerManager: number | undefined;
  };
  /** Stops the servers (SIGTERM, then SIGKILL; the controller-manager first) and removes the temporary folder. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops only kube-apiserver, for fault-injection tests. Defaults to SIGTERM. */
  stopApiServer(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** Starts kube-apiserver again on the same port, certificates and etcd; resolves when it is ready. */
  startApiServer(): Promise<void>;
  /** Compacts etcd at its current revision, so watches from older resourceVersions get 410 Gone; returns the revision. */
  compactEtcd(): Promise<number>;
}

const keepTemp = (): boolean => process.env.KUBEOP_KEEP_TEMP === '1';
const live = new Set<LocalControlPlane>();
let exitHookInstalled = false;

/**
 * Starts a control plane and resolves once kube-apiserver is ready and namespace `default` exists, and the
 * controller-manager, if asked for, answers /healthz.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const withControllerManager = options.controllerManager ?? false;
  const binaries = options.binaries ?? (await resolveBinaries({ controllerManager: withControllerManager }));
  if (withControllerManager && !binaries.kubeControllerManager) {
    throw new TypeError(
      'controllerManager: true needs binaries.kubeControllerManager: resolve them with resolveBinaries({ controllerManager: true })',
    );
  }
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;

  const dir = await mkdtemp(join(tmpdir(), 'kubeop-control-plane-'));
  const logDir = options.logDir ?? join(dir, 'logs');
  let certs: Certificates;
  let ports: number[];
  let tracingFlags: string[] = [];
  try {
    await mkdir(logDir, { recursive: true });
    await mkdir(join(dir, 'certs'));
    certs = await generateCertificates(join(dir, 'certs'));
    ports = await freePorts(withControllerManager ? 4 : 3);
    if (options.apiServerTracing) tracingFlags = await apiServerTracingFlags(dir, options.apiServerTracing);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const [etcdPort, peerPort, apiPort, controllerManagerPort] = ports as [number, number, number, number | undefined];
  const controllerManagerKubeconfig = join(dir, 'controller-manager.kubeconfig');

  const plane = new LocalControlPlane({
    binaries,
    dir,
    logDir,
    etcdUrl: `http://127.0.0.1:${etcdPort}`,
    server: `https://127.0.0.1:${apiPort}`,
    tls: { ca: certs.servingCaPem, cert: certs.adminCertPem, key: certs.adminKeyPem },
    apiServerArgs: apiServerArgs({
      etcdUrl: `http://127.0.0.1:${etcdPort}`,
      port: apiPort,
      certDir: join(dir, 'certs'),
      certs: certs.files,
      extraFlags: [...tracingFlags, ...(options.extraApiServerFlags ?? [])],
    }),
    controllerManager: controllerManagerPort
      ? {
          url: `https://127.0.0.1:${controllerManagerPort}`,
          kubeconfigPath: controllerManagerKubeconfig,
          args: controllerManagerArgs({
            kubeconfigPath: controllerManagerKubeconfig,
            port: controllerManagerPort,
            servingCert: certs.files.servingCert,
            servingKey: certs.files.servingKey,
            extraFlags: options.extraControllerManagerFlags,
          }),
        }
      : undefined,
    timeoutMs,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
  });
  try {
    const args = await etcdArgs(
      {
        binary: binaries.etcd,
        dataDir: join(dir, 'etcd'),
        clientPort: etcdPort,
        peerPort,
        extraFlags: options.extraEtcdFlags,
      },
      Math.min(10_000, deadline - Date.now()),
    );
    await plane.startEtcd(args, deadline);
    await plane.startApiServerUntil(deadline);
    await plane.writeKubeconfig();
    await plane.startControllerManager(deadline);
  } catch (error) {
    await plane.abort();
    throw error;
  }
  return plane;
}

interface PlaneConfig {
  binaries: Binaries;
  dir: string;
  logDir: string;
  etcdUrl: string;
  server: string;
  tls: ClientTls;
  apiServerArgs: string[];
  controllerManager: { url: string; kubeconfigPath: string; args: string[] } | undefined;
  timeoutMs: number;
  stopTimeoutMs: number;
}

class LocalControlPlane implements ControlPlane {
  readonly server: string;
  readonly etcdUrl: string;
  readonly logDir: string;
  readonly dir: string;
  readonly kubeconfigPath: string;
  private kubeConfig_: KubeConfig | undefined;
  private etcd: ManagedProcess | undefined;
  private apiServer: ManagedProcess | undefined;
  private controllerManager: ManagedProcess | undefined;
  private apiServerStarts = 0;
  private stopping: Promise<void> | undefined;
  private readonly config: PlaneConfig;

  constructor(config: PlaneConfig) {
    this.config = config;
    this.server = config.server;
    this.etcdUrl = config.etcdUrl;
    this.logDir = config.logDir;
    this.dir = config.dir;
    this.kubeconfigPath = join(config.dir, 'kubeconfig');
    installExitHook();
    live.add(this);
  }

  get kubeConfig(): KubeConfig {
    if (!this.kubeConfig_) throw new ControlPlaneStateError('the control plane has not finished starting');
    return this.kubeConfig_;
  }

  get processes(): ControlPlane['processes'] {
    const pid = (p: ManagedProcess | undefined): number | undefined => (p && !p.exitStatus ? p.pid : undefined);
    return { etcd: pid(this.etcd), kubeApiServer: pid(this.apiServer), controllerManager: pid(this.controllerManager) };
  }

  async startEtcd(args: string[], deadline: number): Promise<void> {
    const etcd = startProcess({
      name: 'etcd',
      command: this.config.binaries.etcd,
      args,
      logFile: join(this.logDir, 'etcd.log'),
    });
    this.etcd = etcd;
    await waitUntilReady({
      process: etcd,
      probe: (timeout) => etcdHealth(this.etcdUrl, timeout),
      deadline,
      timeoutMs: this.config.timeoutMs,
      logFiles: [etcd.logFile],
    });
  }

  async startApiServerUntil(deadline: number): Promise<void> {
    if (this.apiServer && !this.apiServer.exitStatus)
      throw new ControlPlaneStateError('kube-apiserver is already running');
    if (!this.etcd || this.etcd.exitStatus) throw new ControlPlaneStateError('etcd is not running');
    this.apiServerStarts++;
    // A fresh log per start, so a failure's log tail is about that start.
    const logName = this.apiServerStarts === 1 ? 'kube-apiserver.log' : `kube-apiserver-${this.apiServerStarts}.log`;
    const apiServer = startProcess({
      name: 'kube-apiserver',
      command: this.config.binaries.kubeApiServer,
      args: this.config.apiServerArgs,
      logFile: join(this.logDir, logName),
    });
    this.apiServer = apiServer;
    const wait = {
      process: apiServer,
      deadline,
      timeoutMs: this.config.timeoutMs,
      logFiles: [apiServer.logFile, this.etcd.logFile],
      intervalMs: 200,
    };
    await waitUntilReady({ ...wait, probe: (timeout) => apiServerReadyz(this.server, this.config.tls, timeout) });
    await waitUntilReady({
      ...wait,
      probe: (timeout) => defaultNamespaceExists(this.server, this.config.tls, timeout),
    });
  }

  async writeKubeconfig(): Promise<void> {
    const { tls } = this.config;
    this.kubeConfig_ = await writeKubeconfig(this.kubeconfigPath, {
      server: this.server,
      caPem: tls.ca,
      certPem: tls.cert,
      keyPem: tls.key,
    });
  }

  /** After kube-apiserver is ready: the controller-manager gives up when it cannot reach it within 10 s of its start. */
  async startControllerManager(deadline: number): Promise<void> {
    const config = this.config.controllerManager;
    if (!config) return;
    const { tls } = this.config;
    // Its own copy: the user's kubeconfig is theirs to edit.
    await writeFile(
      config.kubeconfigPath,
      kubeconfigYaml({ server: this.server, caPem: tls.ca, certPem: tls.cert, keyPem: tls.key }),
      { mode: 0o600 },
    );
    const controllerManager = startProcess({
      name: 'kube-controller-manager',
      command: this.config.binaries.kubeControllerManager!,
      args: config.args,
      logFile: join(this.logDir, 'kube-controller-manager.log'),
    });
    this.controllerManager = controllerManager;
    await waitUntilReady({
      process: controllerManager,
      probe: (timeout) => controllerManagerHealthz(config.url, tls.ca, timeout),
      deadline,
      timeoutMs: this.config.timeoutMs,
      logFiles: [controllerManager.logFile, this.apiServer!.logFile],
      intervalMs: 200,
    });
  }

  startApiServer(): Promise<void> {
    return this.startApiServerUntil(Date.now() + this.config.timeoutMs);
  }

  async stopApiServer({ signal = 'SIGTERM' }: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<void> {
    await this.apiServer?.stop({ signal, timeoutMs: this.config.stopTimeoutMs });
  }

  compactEtcd(): Promise<number> {
    return compactEtcd(this.etcdUrl);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // Clients first, then what they depend on: stopping a server under its client only makes the client log errors.
      await this.controllerManager?.stop({ timeoutMs: this.config.stopTimeoutMs });
      await this.apiServer?.stop({ timeoutMs: this.config.stopTimeoutMs });
      await this.etcd?.stop({ timeoutMs: this.config.stopTimeoutMs });
      live.delete(this);
      if (!keepTemp()) await rm(this.dir, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  /** After a failed start: kill at once, drop etcd's data (tens of MB) but keep the logs the error points at. */
  async abort(): Promise<void> {
    await this.controllerManager?.stop({ signal: 'SIGKILL' });
    await this.apiServer?.stop({ signal: 'SIGKILL' });
    await this.etcd?.stop({ signal: 'SIGKILL' });
    live.delete(this);
    if (!keepTemp()) await rm(join(this.dir, 'etcd'), { recursive: true, force: true });
  }

  /** For the exit hook: synchronous and best effort. */
  killAndRemoveSync(): void {
    this.controllerManager?.kill();
    this.apiServer?.kill();
    this.etcd?.kill();
    if (!keepTemp()) rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

// Second line of defence when stop() was never called and the process ends normally.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const plane of live) {
      try {
        plane.killAndRemoveSync();
      } catch {
        // best effort: the process is exiting anyway
      }
    }
  });
}
