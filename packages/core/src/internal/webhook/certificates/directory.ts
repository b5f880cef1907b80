// STAND-IN until the certs branch merges: tls.crt and tls.key (and ca.crt if present) from a folder, re-read every 10 s.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../logging.js';
import type { CertificateSource, ServingKeyPair } from './source.js';

const POLL_MS = 10_000;

export function certificatesFromDirectory(o: { dir: string; logger: Logger }): CertificateSource {
  let pair: ServingKeyPair | undefined;
  let ca = '';
  let timer: NodeJS.Timeout | undefined;
  const listeners = new Set<() => void>();
  const read = async (name: string, optional = false): Promise<string> => {
    try {
      return await readFile(join(o.dir, name), 'utf8');
    } catch (error) {
      if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new Error(`--webhook-cert-dir ${o.dir}: cannot read ${name} (${(error as Error).message})`, {
        cause: error,
      });
    }
  };
  const load = async (): Promise<boolean> => {
    const next = { cert: await read('tls.crt'), key: await read('tls.key') };
    const nextCa = (await read('ca.crt', true)) || next.cert;
    new X509Certificate(next.cert); // throws on a file that is no certificate
    const changed = !pair || pair.cert !== next.cert || pair.key !== next.key || ca !== nextCa;
    pair = next;
    ca = nextCa;
    return changed;
  };
  return {
    async start() {
      await load();
      timer = setInterval(() => {
        load().then(
          (changed) => {
            if (changed) listeners.forEach((listener) => listener());
          },
          (error: unknown) => o.logger.warn(`keeping the current webhook certificate: ${(error as Error).message}`),
        );
      }, POLL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
    current() {
      if (!pair) throw new Error('the webhook certificates are not loaded yet');
      return pair;
    },
    caBundle: () => ca,
    notAfter() {
      return new Date(new X509Certificate(this.current().cert).validTo);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
