// The webhook server's metrics, under controller-runtime's names (so its dashboards work), plus the serving
// certificate's expiry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface WebhookMetrics {
  /** A request to `webhook` (its path) began. */
  started(webhook: string): void;
  /** It ended with HTTP status `code` after `seconds`. */
  finished(webhook: string, code: number, seconds: number): void;
  /** An admission request was answered `allowed: false`: by a Denied, or because the method failed or timed out. */
  rejected(webhook: string, reason: WebhookRejection): void;
  /** The serving certificate now in use expires at `notAfter`. */
  certificateExpiry(notAfter: Date): void;
}

export type WebhookRejection = 'denied' | 'error';

const noop = (): void => {};
export const NOOP_WEBHOOK_METRICS: WebhookMetrics = {
  started: noop,
  finished: noop,
  rejected: noop,
  certificateExpiry: noop,
};

/** Prometheus's default buckets, as controller-runtime's webhook latency histogram uses. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class PrometheusWebhookMetrics implements WebhookMetrics {
  private readonly requests: Counter<'webhook' | 'code'>;
  private readonly latency: Histogram<'webhook'>;
  private readonly inFlight: Gauge<'webhook'>;
  private readonly rejections: Counter<'webhook' | 'reason'>;
  private readonly expiry: Gauge;

  constructor(registry: Registry, webhooks: string[] = []) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'controller_runtime_webhook_requests_total',
      help: 'Total number of admission requests by HTTP status code.',
      labelNames: ['webhook', 'code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'controller_runtime_webhook_latency_seconds',
      help: 'Histogram of the latency of processing admission requests',
      labelNames: ['webhook'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({
      name: 'controller_runtime_webhook_requests_in_flight',
      help: 'Current number of admission requests being served.',
      labelNames: ['webhook'],
      registers,
    });
    // An HTTP 200 answers a denial too, so requests by code cannot show them.
    this.rejections = new Counter({
      name: 'kubeop_webhook_rejections_total',
      help: 'Admission requests answered allowed: false, by reason: denied (the method threw Denied), error (it failed or timed out)',
      labelNames: ['webhook', 'reason'],
      registers,
    });
    this.expiry = new Gauge({
      name: 'kubeop_webhook_certificate_expiry_timestamp_seconds',
      help: 'When the serving certificate of the webhook server expires (Unix time).',
      registers,
    });
    for (const webhook of webhooks) {
      this.inFlight.set({ webhook }, 0);
      for (const reason of ['denied', 'error'] as const) this.rejections.inc({ webhook, reason }, 0);
    }
  }

  started(webhook: string): void {
    this.inFlight.inc({ webhook });
  }

  finished(webhook: string, code: number, seconds: number): void {
    this.inFlight.dec({ webhook });
    this.requests.inc({ webhook, code: String(code) });
    this.latency.observe({ webhook }, seconds);
  }

  rejected(webhook: string, reason: WebhookRejection): void {
    this.rejections.inc({ webhook, reason });
  }

  certificateExpiry(notAfter: Date): void {
    this.expiry.set(notAfter.getTime() / 1000);
  }
}
