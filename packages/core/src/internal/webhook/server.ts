// The HTTPS webhook server: routes each admission webhook path to its method and each conversion path to its
// resource's converters, limits bodies, answers AdmissionReview v1 and ConversionReview v1, counts requests, and swaps
// its certificate in place (setSecureContext) when the certificate source changes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../logging.js';
import type { WebhookMetrics } from '../metrics/webhook-metrics.js';
import { closeServer, listenOn, plain } from '../serve/http-server.js';
import { endServerSpan, startServerSpan } from '../trace/server-span.js';
import { inSpan } from '../trace/spans.js';
import { ConversionReviewError, convertReview } from '../convert/convert-review.js';
import type { CertificateSource } from './certificates/index.js';
import type { ConversionEndpoint } from './conversion.js';
import { invokeWebhook, type WebhookDependencies } from './invoke.js';
import { BadReviewError, parseReview, reviewResponse } from './review.js';
import type { WebhookEndpoint } from './webhooks.js';
import { describeError } from '../util/describe-error.js';

/** An AdmissionReview carries the object and the old one, each up to etcd's 1.5 MiB (more as JSON); as controller-runtime, 7 MiB. */
export const BODY_LIMIT_BYTES = 7 * 1024 * 1024;
export const WEBHOOK_FLAG = '--webhook-bind-address';

export interface WebhookServerOptions {
  address: string;
  endpoints: WebhookEndpoint[];
  /** Conversion endpoints, one per resource serving other versions. Defaults to none. */
  conversions?: ConversionEndpoint[];
  certificates: CertificateSource;
  deps: WebhookDependencies;
  metrics: WebhookMetrics;
  logger: Logger;
  bodyLimitBytes?: number;
}

export interface WebhookServer {
  readonly address: string;
  readonly port: number;
  /** Readiness: true once serving with a certificate that has not expired, else why not. */
  ready(): true | string;
  close(): Promise<void>;
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { certificates, logger, metrics } = options;
  const byPath = new Map(options.endpoints.map((endpoint) => [endpoint.path, endpoint]));
  const conversionByPath = new Map((options.conversions ?? []).map((endpoint) => [endpoint.path, endpoint]));
  const limit = options.bodyLimitBytes ?? BODY_LIMIT_BYTES;
  const logged = new Set<string>();
  const logOnce = (key: string, message: string) => {
    if (logged.has(key)) return;
    logged.add(key);
    logger.warn(`${message} (logged once)`);
  };
  const server: Server = createServer({ ...certificates.current(), minVersion: 'TLSv1.2' }, (request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const endpoint = byPath.get(path);
    const conversion = endpoint ? undefined : conversionByPath.get(path);
    if (!endpoint && !conversion) return plain(response, 404, `no webhook at ${request.url}\n`);
    if (request.method !== 'POST') return plain(response, 405, 'method not allowed\n', { allow: 'POST' });
    const started = performance.now();
    metrics.started(path);
    const work = () =>
      endpoint ? serve(endpoint, request, response) : serveConversion(conversion!, request, response);
    const span = startServerSpan(request, path, endpoint ? 'admission' : 'conversion');
    void (span ? inSpan(span, work) : work()).then(
      (code) => {
        endServerSpan(span, code);
        metrics.finished(path, code, (performance.now() - started) / 1000);
      },
      (error: unknown) => {
        // A fault of kubeop's (a method's own failures are answered as denials): answered, logged and counted, never
        // an unhandled rejection that would end the operator and leave the API server waiting.
        endServerSpan(span, 500, error);
        const problem = describeError(error);
        logger.error(`${path}: HTTP 500, ${problem}`, { stack: error instanceof Error ? error.stack : undefined });
        if (response.headersSent) response.destroy();
        else plain(response, 500, `${problem}\n`);
        metrics.finished(path, 500, (performance.now() - started) / 1000);
      },
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 35_000; // above the longest configuration timeout (30 s)

  /** The body, or undefined once a 413 or 400 has been answered. */
  async function bodyOf(path: string, request: IncomingMessage, response: ServerResponse) {
    try {
      return await readBody(request, limit);
    } catch (error) {
      const code = error instanceof BodyTooLargeError ? 413 : 400;
      const problem = describeError(error);
      logOnce(`${path}:${code}`, `${path}: refused a request: ${problem}`);
      plain(response, code, `${problem}\n`, { connection: 'close' });
      return code;
    }
  }

  async function serve(endpoint: WebhookEndpoint, request: IncomingMessage, response: ServerResponse): Promise<number> {
    const body = await bodyOf(endpoint.path, request, response);
    if (typeof body === 'number') return body;
    let review;
    try {
      review = parseReview(body, endpoint);
    } catch (error) {
      if (!(error instanceof BadReviewError)) throw error;
      logOnce(`${endpoint.path}:${error.message}`, `${endpoint.path}: HTTP 400, ${error.message}`);
      plain(response, 400, `${error.message}\n`);
      return 400;
    }
    const decision = await invokeWebhook(endpoint, review, options.deps);
    if (!decision.allowed) metrics.rejected(endpoint.path, decision.failed ? 'error' : 'denied');
    if (!decision.allowed && logger.isDebugEnabled())
      logger.debug(`${endpoint.handler} denied ${review.operation} of ${objectName(review)}: ${decision.message}`, {
        field: decision.field,
        code: decision.code,
        dryRun: review.dryRun === true,
      });
    return json(response, reviewResponse(review.uid, decision));
  }

  /** A ConversionReview: every object converted, or the request failed naming the converter (still HTTP 200). */
  async function serveConversion(
    endpoint: ConversionEndpoint,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<number> {
    const body = await bodyOf(endpoint.path, request, response);
    if (typeof body === 'number') return body;
    let answer;
    try {
      answer = convertReview(parseJson(body), endpoint.description);
    } catch (error) {
      // Not a converter's failure (those are answered above, in the review): a fault of kubeop's, never left hanging.
      const code = error instanceof ConversionReviewError ? 400 : 500;
      const problem = describeError(error);
      logOnce(`${endpoint.path}:${problem}`, `${endpoint.path}: HTTP ${code}, ${problem}`);
      plain(response, code, `${problem}\n`);
      return code;
    }
    const result = answer.response?.result;
    if (result?.status === 'Failure') logger.warn(`${endpoint.path}: ${result.message}`);
    return json(response, answer);
  }

  const bound = await listenOn(server, options.address, WEBHOOK_FLAG);
  let listening = true;
  let servedCert = certificates.current().cert;
  const refresh = () => {
    try {
      const next = certificates.current();
      server.setSecureContext({ ...next, minVersion: 'TLSv1.2' });
      metrics.certificateExpiry(certificates.notAfter());
      // A change of the CA bundle alone leaves the served certificate as it was: nothing to say.
      if (next.cert !== servedCert)
        logger.info(
          `the webhook server now serves the certificate valid until ${certificates.notAfter().toISOString()}`,
        );
      servedCert = next.cert;
    } catch (error) {
      logger.error(`keeping the webhook server's certificate: the new one cannot be used: ${describeError(error)}`);
    }
  };
  metrics.certificateExpiry(certificates.notAfter());
  const unsubscribe = certificates.onChange(refresh);
  return {
    ...bound,
    ready() {
      if (!listening) return 'the webhook server is closed';
      const notAfter = certificates.notAfter();
      return notAfter.getTime() > Date.now() || `the webhook serving certificate expired at ${notAfter.toISOString()}`;
    },
    async close() {
      listening = false;
      unsubscribe();
      await closeServer(server);
    },
  };
}

function json(response: ServerResponse, value: unknown): number {
  const text = JSON.stringify(value);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
  return 200;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new ConversionReviewError(`the body is not JSON: ${describeError(error)}`);
  }
}

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit)
    return Promise.reject(new BodyTooLargeError(`the body (${declared} bytes) is over ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.destroy();
        reject(new BodyTooLargeError(`the body is over ${limit} bytes`));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function objectName(review: { name?: string; namespace?: string }): string {
  return review.namespace ? `${review.namespace}/${review.name ?? ''}` : (review.name ?? '');
}
