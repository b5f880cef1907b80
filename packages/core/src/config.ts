// The runtime's own typed configuration: the command line maps its flags onto it, and code that embeds
// kubeop (tests, other front ends) can build one without parsing flags.
import type { OperatorArgs } from './cli.js';

export interface RuntimeConfig {
  /** Name of the operator: the field manager, the source of its Events, the default Lease name. */
  name: string;
  /** One namespace to watch, or undefined for all. */
  namespace: string | undefined;
  createCrd: boolean;
  /** Server-side apply an existing CRD that differs from the one --create-crd would install. */
  updateCrd: boolean;
  /** The leader rewrites the objects stored at older versions and prunes the CRD's storedVersions. */
  migrateStorage: boolean;
  /** Folder of generated CRDs; undefined: `crds` beside the entry script. */
  crdDir: string | undefined;
  /** Objects handled at once, per resource. */
  maxConcurrent: number;
  retry: { baseSeconds: number; maxSeconds: number };
  /** Default timeout of a handler run; 0 = none. */
  handlerTimeoutSeconds: number;
  shutdownTimeoutSeconds: number;
  watch: { timeoutSeconds: number; watchdogSeconds: number };
  /** Seconds between resyncs of every object; 0 = off. */
  resyncPeriodSeconds: number;
  leaderElection: LeaderElectionConfig | undefined;
  /** `host:port`, `:port`, or `0` for off. */
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  probes: ProbeConfig;
  /**
   * Every write goes with `dryRun=All` (validated and admitted, never stored) and is logged as the change it would
   * have made; the leader election Lease alone is written for real. Defaults to false.
   */
  dryRun: boolean;
  /** Client-side rate limit of requests to the API server. */
  kubeApi: KubeApiRateLimit;
}

/** A token bucket as client-go's QPS and Burst, except that it is off by default. */
export interface KubeApiRateLimit {
  /** Requests a second on average; 0 = unlimited (the default). */
  qps: number;
  /** Requests at once before the rate applies, >= 1 when `qps` is set. */
  burst: number;
}

/** How long the probes tolerate a failure before they report it (see the README's table of what the kubelet does). */
export interface ProbeConfig {
  /** /readyz fails once a resource could not be listed or watched for this long; 0 = never. */
  watchFailureToleranceSeconds: number;
  /** /healthz fails once the API server refused the credentials (401) for this long; 0 = never. */
  unauthorizedToleranceSeconds: number;
}

export interface LeaderElectionConfig {
  leaseName: string;
  namespace: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

export interface ConfigContext {
  name: string;
  /** `plural.group` of every handled resource, for the default Lease name. */
  resources: string[];
  /** The namespace of the in-cluster service account, if running in a cluster. */
  inClusterNamespace: string | undefined;
}

export function runtimeConfigFromArgs(args: OperatorArgs, context: ConfigContext): RuntimeConfig {
  return {
    name: context.name,
    namespace: args.namespace,
    createCrd: args.createCrd,
    updateCrd: args.updateCrd,
    migrateStorage: args.migrateStorage ?? true,
    crdDir: args.crdDir,
    maxConcurrent: args.maxConcurrent,
    retry: { baseSeconds: args.retryDelay, maxSeconds: args.retryMaxDelay },
    handlerTimeoutSeconds: args.handlerTimeout,
    shutdownTimeoutSeconds: args.shutdownTimeout,
    watch: { timeoutSeconds: args.watchTimeout, watchdogSeconds: args.watchdog },
    resyncPeriodSeconds: args.resyncPeriod,
    leaderElection: args.leaderElect
      ? {
          leaseName: args.leaderElectionId ?? defaultLeaseName(context.name, context.resources),
          namespace: args.leaderElectionNamespace ?? context.inClusterNamespace ?? 'default',
          leaseDurationSeconds: args.leaseDuration,
          renewDeadlineSeconds: args.renewDeadline,
          retryPeriodSeconds: args.retryPeriod,
        }
      : undefined,
    metricsBindAddress: args.metricsBindAddress,
    healthProbeBindAddress: args.healthProbeBindAddress,
    probes: {
      watchFailureToleranceSeconds: args.watchFailureTolerance,
      unauthorizedToleranceSeconds: args.unauthorizedTolerance,
    },
    kubeApi: { qps: args.kubeApiQps, burst: args.kubeApiBurst ?? defaultBurst(args.kubeApiQps) },
    dryRun: args.dryRun,
  };
}

/** Twice the rate, as client-go's defaults (QPS 5, Burst 10), and at least one request. */
function defaultBurst(qps: number): number {
  return Math.max(1, Math.ceil(2 * qps));
}

/**
 * `<name>-<hash of the resources>`: replicas of one operator agree on it, two operators that happen to share a
 * name but handle different resources do not block each other. A DNS-1123 subdomain of at most 63 characters.
 */
export function defaultLeaseName(name: string, resources: string[]): string {
  const key = [...resources].sort().join(',');
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'kubeop';
  return `${base}-${hash.toString(16).padStart(8, '0')}`;
}
