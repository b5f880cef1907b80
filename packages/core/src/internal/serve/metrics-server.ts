// GET /metrics: the operator's registry in Prometheus' text format.
import type { Registry } from 'prom-client';
import { plain, startHttpServer, type StartedServer } from './http-server.js';
import { describeError } from '../util/describe-error.js';

/** Serves `registry` at /metrics on `address` (`0`: not started, undefined); rejects with a BindError. */
export function startMetricsServer(
  address: string,
  registry: Registry,
  flag = '--metrics-bind-address',
): Promise<StartedServer | undefined> {
  return startHttpServer(address, flag, (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path !== '/metrics') return plain(response, 404, 'not found: metrics are at /metrics\n');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return plain(response, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(text); // Node sends no body to a HEAD request
      },
      (error: unknown) => plain(response, 500, `collecting metrics failed: ${describeError(error)}\n`),
    );
  });
}
