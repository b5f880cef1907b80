// Self-managed webhook certificates: a CA and a serving certificate in a Secret, issued by the first replica, renewed before expiry, and re-read by every replica.
import type { KubeClient } from '../../../kube/client.js';
import { KubeApiError } from '../../../kube/errors.js';
import type { Logger } from '../../../logging.js';
import { backoffDelay, sleep } from '../../util/backoff.js';
import { parseCertificate, validityOf } from './pem.js';
import { planRenewal, type RenewalPlan } from './renewal.js';
import { applyRenewal, type IssueSettings } from './rotation.js';
import {
  bundleOf,
  type CertificateSet,
  fromSecret,
  NEXT_CA_PUBLISHED_AT,
  servingPairOf,
  stateOf,
  toSecret,
  wantedNames,
} from './secret-layout.js';
import { ChangeListeners, type CertificateSource, type ServingKeyPair } from './source.js';
import { CertificateSecretError } from './errors.js';

export interface SelfManagedCertificateOptions {
  /** Core's transport client. */
  client: KubeClient;
  /** The operator's namespace; the Secret lives there. */
  namespace: string;
  /** The Secret, e.g. `${operatorName}-webhook-certs`. */
  secretName: string;
  /** Names the API server reaches the webhook by, e.g. `${svc}.${ns}.svc` and `${svc}.${ns}.svc.cluster.local`. */
  dnsNames: string[];
  /** Addresses likewise, e.g. `127.0.0.1` for a local control plane. Defaults to none. */
  ipAddresses?: string[];
  /** Lifetime of each CA; a new one is published at 2/3 of it. Defaults to 3 years (94 608 000 s). */
  caLifetimeSeconds?: number;
  /** Lifetime of each serving certificate; it is renewed at 2/3 of it. Defaults to 90 days (7 776 000 s), as cert-manager. */
  servingLifetimeSeconds?: number;
  /**
   * How long a new CA stays in the bundle before it signs a serving certificate: every replica must have read it
   * and the webhook configurations' caBundle must have been updated by then. Defaults to 300 s.
   */
  caPropagationSeconds?: number;
  /** How often every replica reads the Secret. Defaults to 10 s. */
  pollIntervalSeconds?: number;
  logger: Logger;
  /** Stops the source like stop(). */
  signal?: AbortSignal;
}

interface Secret {
  apiVersion?: string;
  kind?: string;
  type?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  data?: Record<string, string>;
}

const DAY = 86_400;
const DEFAULTS = {
  caLifetimeSeconds: 3 * 365 * DAY,
  servingLifetimeSeconds: 90 * DAY,
  caPropagationSeconds: 300,
  pollIntervalSeconds: 10,
};
/** Renewal steps one pass may take (a first issue needs one, a promotion up to three): more means a bug, not work. */
const MAX_STEPS = 8;

export function selfManagedCertificates(options: SelfManagedCertificateOptions): CertificateSource {
  return new SelfManagedCertificates(options);
}

class SelfManagedCertificates implements CertificateSource {
  private readonly settings: IssueSettings;
  private readonly names: string[];
  private readonly propagationMs: number;
  private readonly pollMs: number;
  private readonly path: string;
  private readonly stopping = new AbortController();
  private readonly signal: AbortSignal;
  private readonly listeners: ChangeListeners;
  private pair: (ServingKeyPair & { notAfter: Date }) | undefined;
  private bundle = '';
  /** The Secret's resourceVersion last adopted, and its content: a Secret that vanishes is written back from it. */
  private adopted: { resourceVersion: string; set: CertificateSet } | undefined;
  private loop: Promise<void> | undefined;
  /** Under --dry-run, the Secret last written (accepted, never stored): read back in its place, so a poll does not write it again. */
  private dryRunWritten: Secret | undefined;

  constructor(private readonly options: SelfManagedCertificateOptions) {
    const o = { ...DEFAULTS, ...definedOnly(options) };
    const raw = [...options.dnsNames, ...(options.ipAddresses ?? [])];
    if (raw.length === 0) throw new Error('Self-managed webhook certificates need at least one DNS name or IP address');
    for (const field of [
      'caLifetimeSeconds',
      'servingLifetimeSeconds',
      'caPropagationSeconds',
      'pollIntervalSeconds',
    ] as const) {
      if (!(o[field] > 0))
        throw new Error(`Webhook certificates: ${field} must be a positive number of seconds, not ${o[field]}`);
    }
    if (o.servingLifetimeSeconds > o.caLifetimeSeconds) {
      throw new Error(
        `Webhook certificates: servingLifetimeSeconds (${o.servingLifetimeSeconds}) must not exceed caLifetimeSeconds (${o.caLifetimeSeconds})`,
      );
    }
    // A third of each lifetime is left after renewal: enough for every replica to poll, and for a new CA to propagate.
    if (o.pollIntervalSeconds >= o.servingLifetimeSeconds / 3) {
      throw new Error(
        `Webhook certificates: pollIntervalSeconds (${o.pollIntervalSeconds}) must be below a third of servingLifetimeSeconds (${o.servingLifetimeSeconds})`,
      );
    }
    if (o.caPropagationSeconds <= o.pollIntervalSeconds || o.caPropagationSeconds >= o.caLifetimeSeconds / 3) {
      throw new Error(
        `Webhook certificates: caPropagationSeconds (${o.caPropagationSeconds}) must exceed pollIntervalSeconds (${o.pollIntervalSeconds}) and stay below a third of caLifetimeSeconds (${o.caLifetimeSeconds})`,
      );
    }
    this.settings = {
      names: raw,
      caLifetimeMs: o.caLifetimeSeconds * 1000,
      servingLifetimeMs: o.servingLifetimeSeconds * 1000,
      caName: `${options.secretName} CA`,
    };
    this.names = wantedNames(options.dnsNames, options.ipAddresses ?? []);
    this.propagationMs = o.caPropagationSeconds * 1000;
    this.pollMs = o.pollIntervalSeconds * 1000;
    this.path = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/secrets`;
    this.signal = options.signal ? AbortSignal.any([options.signal, this.stopping.signal]) : this.stopping.signal;
    this.listeners = new ChangeListeners((error) =>
      options.logger.error('A webhook certificate change listener failed', { error }),
    );
  }

  async start(): Promise<void> {
    if (this.pair) return;
    let nextAt: number | undefined;
    for (let attempt = 1; !this.pair; attempt++) {
      if (this.signal.aborted)
        throw new CertificateSecretError(`Stopped before the webhook certificates in ${this.where()} were ready`);
      try {
        nextAt = await this.sync();
      } catch (error) {
        if (isPermanent(error)) throw this.explain(error);
        if (this.signal.aborted) continue;
        this.options.logger.warn('Webhook certificates not ready yet; retrying', {
          secret: this.where(),
          error: String(error),
        });
        await sleep(backoffDelay({ baseMs: 500, capMs: 5_000 }, attempt), this.signal);
      }
    }
    this.loop ??= this.run(nextAt);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  current(): ServingKeyPair {
    if (!this.pair)
      throw new Error(`The webhook certificates in ${this.where()} are not loaded: start() has not resolved`);
    return { key: this.pair.key, cert: this.pair.cert };
  }

  caBundle(): string {
    return this.bundle;
  }

  notAfter(): Date {
    if (!this.pair)
      throw new Error(`The webhook certificates in ${this.where()} are not loaded: start() has not resolved`);
    return this.pair.notAfter;
  }

  onChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** Reads the Secret every poll interval, and at once when a renewal falls due. */
  private async run(nextAt: number | undefined): Promise<void> {
    while (!this.signal.aborted) {
      const delay = Math.min(this.pollMs, Math.max(0, (nextAt ?? Infinity) - Date.now()));
      await sleep(delay, this.signal);
      if (this.signal.aborted) return;
      try {
        nextAt = await this.sync();
      } catch (error) {
        if (this.signal.aborted) return;
        // The pair in hand stays served; a third of its lifetime is left for this to clear up.
        nextAt = undefined;
        const explained = isPermanent(error) ? this.explain(error) : error;
        this.options.logger.warn('Could not read or renew the webhook certificates', {
          secret: this.where(),
          error: String(explained),
        });
      }
    }
  }

  /** One pass: read the Secret, adopt it, and take the renewal steps now due. Returns when to look again. */
  private async sync(): Promise<number | undefined> {
    let secret = await this.read();
    for (let step = 0; step < MAX_STEPS; step++) {
      if (!secret) {
        secret = await this.create();
        if (!secret) secret = await this.read(); // Another replica created it first: use theirs.
        continue;
      }
      this.adopt(secret);
      const set = fromSecret(secret.data, secret.metadata.annotations);
      const plan = planRenewal(Date.now(), stateOf(set, this.names), { propagationMs: this.propagationMs });
      if (!plan.action) return plan.nextAt;
      const written = await this.replace(secret, await applyRenewal(plan.action, set, Date.now(), this.settings), plan);
      // A conflict: another replica changed it meanwhile; read theirs and plan again.
      secret = written ?? (await this.read());
    }
    throw new Error(`Webhook certificates in ${this.where()} still need renewing after ${MAX_STEPS} steps`);
  }

  /** Takes the Secret's pair and bundle when they are usable and differ from what is served; tells the listeners. */
  private adopt(secret: Secret): void {
    const resourceVersion = secret.metadata.resourceVersion ?? '';
    if (this.adopted?.resourceVersion === resourceVersion) return;
    const set = fromSecret(secret.data, secret.metadata.annotations);
    const pair = servingPairOf(set);
    if (!pair) return; // Broken or half-made: renewal replaces it, and the pair in hand stays served meanwhile.
    this.adopted = { resourceVersion, set };
    const bundle = bundleOf(set);
    if (pair.cert === this.pair?.cert && pair.key === this.pair.key && bundle === this.bundle) return;
    const first = !this.pair;
    this.pair = { cert: pair.cert, key: pair.key, notAfter: new Date(validityOf(pair.parsed).notAfter) };
    this.bundle = bundle;
    this.options.logger.info(first ? 'Webhook certificates loaded' : 'Webhook certificates changed', {
      secret: this.where(),
      notAfter: this.pair.notAfter.toISOString(),
      cas: bundle === '' ? 0 : bundle.split('-----BEGIN CERTIFICATE-----').length - 1,
    });
    if (!first) this.listeners.emit();
  }

  private async read(): Promise<Secret | undefined> {
    if (this.dryRunWritten) return this.dryRunWritten;
    try {
      return await this.options.client.request<Secret>(
        'GET',
        `${this.path}/${encodeURIComponent(this.options.secretName)}`,
        {
          signal: this.signal,
        },
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.isNotFound) return undefined;
      throw error;
    }
  }

  /** Creates the Secret: with what this replica serves if it vanished, else with a new CA and pair. Undefined when another replica won. */
  private async create(): Promise<Secret | undefined> {
    const now = Date.now();
    const set = this.adopted?.set ?? (await applyRenewal('issue-all', {}, now, this.settings));
    const { data, annotations } = toSecret(set);
    const body: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: this.options.secretName, labels: { 'app.kubernetes.io/managed-by': 'kubeop' }, annotations },
      data,
    };
    try {
      const created = await this.options.client.request<Secret>('POST', this.path, { body, signal: this.signal });
      if (this.options.client.dryRun) this.dryRunWritten = created;
      const what = this.adopted ? 'Webhook certificates Secret restored' : 'Webhook certificates issued';
      this.options.logger.info(`${what}${this.dryRunNote()}`, { secret: this.where() });
      return created;
    } catch (error) {
      if (error instanceof KubeApiError && error.isConflict) return undefined;
      if (error instanceof KubeApiError && error.isNotFound) {
        throw new CertificateSecretError(
          `Cannot create ${this.where()}: namespace ${this.options.namespace} does not exist (the operator's namespace is where the webhook certificates are kept)`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Writes `set` over `secret` if nobody changed it since it was read; undefined on a conflict. */
  private async replace(secret: Secret, set: CertificateSet, plan: RenewalPlan): Promise<Secret | undefined> {
    const { data, annotations } = toSecret(set);
    const kept = { ...secret.metadata.annotations };
    delete kept[NEXT_CA_PUBLISHED_AT];
    // Keys of the data kubeop does not know (someone's additions) are dropped: the Secret is kubeop's own.
    const body: Secret = {
      ...secret,
      metadata: { ...secret.metadata, annotations: { ...kept, ...annotations } },
      data,
    };
    try {
      const written = await this.options.client.request<Secret>(
        'PUT',
        `${this.path}/${encodeURIComponent(this.options.secretName)}`,
        { body, signal: this.signal },
      );
      if (this.options.client.dryRun) this.dryRunWritten = written;
      this.options.logger.info(`Webhook certificates: ${describe(plan)}${this.dryRunNote()}`, {
        secret: this.where(),
        reason: plan.reason,
        ...expiries(set),
      });
      return written;
    } catch (error) {
      if (error instanceof KubeApiError && error.isConflict) return undefined;
      throw error;
    }
  }

  /** Under --dry-run a write is validated and never stored: said on the line that reports it. */
  private dryRunNote(): string {
    return this.options.client.dryRun ? ' in memory only (dry run: the Secret is not stored)' : '';
  }

  private where(): string {
    return `Secret ${this.options.namespace}/${this.options.secretName}`;
  }

  /** A permanent error, with what the operator's account lacks or what the server refused. */
  private explain(error: KubeApiError | CertificateSecretError): CertificateSecretError {
    if (error instanceof CertificateSecretError) return error;
    const what = `${error.verb} on ${this.where()} answered ${error.status}${error.reason ? ` ${error.reason}` : ''}`;
    const hint =
      error.status === 403
        ? ': the operator needs get, create and update on secrets in its namespace (narrowed to this name for get and update)'
        : error.serverMessage
          ? `: ${error.serverMessage}`
          : '';
    return new CertificateSecretError(`Cannot keep the webhook certificates: ${what}${hint}`, { cause: error });
  }
}

/** Errors no retry fixes: permissions, and a Secret the server refuses. */
function isPermanent(error: unknown): error is KubeApiError | CertificateSecretError {
  return (
    error instanceof CertificateSecretError || (error instanceof KubeApiError && [401, 403, 422].includes(error.status))
  );
}

function describe(plan: RenewalPlan): string {
  switch (plan.action) {
    case 'issue-all':
      return 'issued a new CA and serving certificate';
    case 'publish-next-ca':
      return 'added a new CA to the bundle';
    case 'promote-next-ca':
      return 'the new CA now signs; a new serving certificate issued';
    case 'renew-serving':
      return 'renewed the serving certificate';
    case 'drop-previous-ca':
      return 'removed the expired previous CA from the bundle';
    case undefined:
      return 'nothing to do';
  }
}

function expiries(set: CertificateSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, pem] of [
    ['servingNotAfter', set.servingCert],
    ['caNotAfter', set.caCert],
  ] as const) {
    if (pem) out[field] = new Date(validityOf(parseCertificate(pem)).notAfter).toISOString();
  }
  return out;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
