// One request to the API server as any client sends it, with the status, the parsed body and the Warning headers,
// which the typed clients do not show.
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface RawResponse {
  status: number;
  body: Record<string, unknown>;
  warnings: string[];
}

export async function rawRequest(
  kubeConfig: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const url = new URL(`${kubeConfig.getCurrentCluster()!.server}${path}`);
  const options: Record<string, unknown> = { method, headers: {} as Record<string, string> };
  await kubeConfig.applyToHTTPSOptions(options as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload) (options.headers as Record<string, string>)['content-type'] = contentType;
  return new Promise((resolve, reject) => {
    const req = request(url, options, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += String(chunk)));
      response.on('end', () => {
        const header = response.headers.warning;
        const warnings = (Array.isArray(header) ? header : header ? [header] : []).map((w) =>
          w.replace(/^\d+ \S+ "(.*)"$/, '$1'),
        );
        resolve({
          status: response.statusCode ?? 0,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          warnings,
        });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
