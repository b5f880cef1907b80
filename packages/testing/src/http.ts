// Minimal HTTP(S) requests for health probes and etcd's JSON gateway, without pulling in a client library.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: string;
  /** PEM material for https: the CA to trust and an optional client certificate. */
  tls?: { ca: string; cert?: string; key?: string };
  /** Defaults to 5000. */
  timeoutMs?: number;
}

/** Sends one request (no keep-alive) and reads the whole body; rejects on network errors and timeouts. */
export function request(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        timeout: options.timeoutMs ?? 5_000,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
        ...options.tls,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 5_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
