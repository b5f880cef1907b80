// A TLS server that swaps its key pair on a CertificateSource's onChange, and a client that keeps connecting to it trusting a CA bundle read anew for each connection.
import { connect, createServer, type PeerCertificate } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { LogLevel } from '../../src/cli.js';
import { createRootLogger, type Logger } from '../../src/logging.js';
import type { CertificateSource } from '../../src/internal/webhook/certificates/index.js';

export interface Served {
  port: number;
  close(): Promise<void>;
}

/** Serves `ok` on 127.0.0.1 with the source's pair, swapped in place (no restart, open connections kept) on change. */
export async function serveWith(source: CertificateSource): Promise<Served> {
  const server = createServer(source.current(), (socket) => socket.end('ok'));
  const unsubscribe = source.onChange(() => server.setSecureContext(source.current()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      unsubscribe();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** One connection to 127.0.0.1:`port` trusting only `ca`; resolves with the certificate served, rejects on any failure. */
export function connectOnce(port: number, ca: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      const peer = socket.getPeerCertificate();
      let body = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (body += chunk));
      socket.on('end', () => (body === 'ok' ? resolve(peer) : reject(new Error(`unexpected answer ${body}`))));
    });
    socket.on('error', reject);
  });
}

export interface Probe {
  /** Connections made, failures among them (each one's message and when). */
  connections: number;
  failures: string[];
  /** Serving certificates seen (fingerprints) and their issuers. */
  served: Set<string>;
  issuers: Set<string>;
  stop(): Promise<void>;
}

/** Connects again and again, for each bundle `bundles()` returns at that moment, until stopped; a short pause between rounds spares the shared CPU. */
export function probe(port: number, bundles: () => string[]): Probe {
  let running = true;
  const result: Probe = {
    connections: 0,
    failures: [],
    served: new Set(),
    issuers: new Set(),
    stop: async () => {
      running = false;
      await loop;
    },
  };
  const loop = (async () => {
    while (running) {
      for (const ca of bundles()) {
        result.connections++;
        try {
          const peer = await connectOnce(port, ca);
          result.served.add(peer.fingerprint256);
          result.issuers.add(String(peer.issuer.CN));
        } catch (error) {
          result.failures.push(`${new Date().toISOString()} ${String(error)}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return result;
}

/** A logger whose lines land in `lines` (and are printed after the test, prefixed). */
export function capturingLogger(lines: string[], level: LogLevel = 'debug'): Logger {
  const stream = new Writable({ write: (chunk, _, done) => (lines.push(String(chunk)), done()) });
  return createRootLogger({ level, format: 'text', stream });
}
