// External webhook certificates from a folder laid out as kubelet mounts a Secret: missing files named, files swapped
// while serving picked up without a failed connection, a pair caught halfway through a rewrite ignored until consistent.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@kubeop/testing';
import {
  CertificateFileError,
  type CertificateSource,
  certificatesFromDirectory,
} from '../src/internal/webhook/certificates/index.js';
import { issueCa, issueServing, type IssuedPair } from '../src/internal/webhook/certificates/issue.js';
import { capturingLogger, connectOnce, probe, serveWith } from './support/webhook-certificates-tls.js';

const DAY = 86_400_000;
let dir: string;
let lines: string[];
const sources: CertificateSource[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeop-webhook-certs-'));
  lines = [];
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
  process.stderr.write(lines.map((line) => `[certs dir] ${line}`).join(''));
  await rm(dir, { recursive: true, force: true });
});

function source(): CertificateSource {
  const made = certificatesFromDirectory({ dir, logger: capturingLogger(lines) });
  sources.push(made);
  return made;
}

const newCa = () => issueCa('external test CA', { now: Date.now(), lifetimeMs: DAY });
const newServing = (ca: IssuedPair) => issueServing(ca, ['127.0.0.1'], { now: Date.now(), lifetimeMs: DAY });
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

let generation = 0;
/** Writes the files as kubelet updates a mounted Secret: a new timestamped folder, then one rename of the `..data` symlink. */
async function swapIn(files: Record<string, string>): Promise<void> {
  const stamp = `..${Date.now()}_${generation++}`;
  await mkdir(join(dir, stamp));
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(dir, stamp, name), text)));
  const old = await readlink(join(dir, '..data')).catch(() => undefined);
  await symlink(stamp, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files)) await symlink(join('..data', name), join(dir, name)).catch(() => undefined);
  if (old) await rm(join(dir, old), { recursive: true });
}

describe('certificates from a folder', () => {
  it('names the missing file', async () => {
    const ca = await newCa();
    await writeFile(join(dir, 'tls.crt'), (await newServing(ca)).cert);
    const error = await source()
      .start()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertificateFileError);
    expect(error).toMatchObject({ path: join(dir, 'tls.key'), problem: 'is missing' });
  });

  it('names a file that holds no certificate', async () => {
    await writeFile(join(dir, 'tls.crt'), 'not a certificate');
    await writeFile(join(dir, 'tls.key'), 'not a key');
    await expect(source().start()).rejects.toMatchObject({ path: join(dir, 'tls.crt') });
  });

  it('refuses, after waiting, a key that belongs to another certificate', async () => {
    const ca = await newCa();
    await writeFile(join(dir, 'tls.crt'), (await newServing(ca)).cert);
    await writeFile(join(dir, 'tls.key'), (await newServing(ca)).key);
    const made = certificatesFromDirectory({ dir, logger: capturingLogger(lines), consistentWithinSeconds: 0.5 });
    sources.push(made);
    await expect(made.start()).rejects.toMatchObject({ path: join(dir, 'tls.key') });
  });

  it('serves files swapped in while serving, a new CA included, with no failed connection', async () => {
    const firstCa = await newCa();
    const first = await newServing(firstCa);
    await swapIn({ 'tls.crt': first.cert, 'tls.key': first.key, 'ca.crt': firstCa.cert });
    const certs = source();
    await certs.start();
    expect(certs.current()).toEqual({ cert: first.cert, key: first.key });
    expect(certs.caBundle()).toBe(`${firstCa.cert.trim()}\n`);
    let changes = 0;
    certs.onChange(() => changes++);

    const served = await serveWith(certs);
    const connections = probe(served.port, () => [certs.caBundle()]);
    try {
      // cert-manager renews the serving certificate under the same CA...
      const second = await newServing(firstCa);
      await swapIn({ 'tls.crt': second.cert, 'tls.key': second.key, 'ca.crt': firstCa.cert });
      await eventually(() => connections.served.has(fingerprint(second.cert)), 'the renewed certificate served');
      // ...and across a CA rotation the bundle holds both CAs.
      const secondCa = await newCa();
      const third = await newServing(secondCa);
      await swapIn({ 'tls.crt': third.cert, 'tls.key': third.key, 'ca.crt': `${firstCa.cert}${secondCa.cert}` });
      await eventually(() => connections.served.has(fingerprint(third.cert)), 'the certificate of the new CA served');
    } finally {
      await connections.stop();
      await served.close();
    }
    expect(connections.failures).toEqual([]);
    expect(connections.served.size).toBe(3);
    expect(changes).toBe(2);
    expect(certs.notAfter()).toEqual(new X509Certificate(certs.current().cert).validToDate);
  });

  it('ignores a certificate rewritten without its key until the key follows', async () => {
    const ca = await newCa();
    const first = await newServing(ca);
    await writeFile(join(dir, 'tls.crt'), first.cert);
    await writeFile(join(dir, 'tls.key'), first.key);
    const certs = source();
    await certs.start();
    expect(certs.caBundle()).toBe('');
    const served = await serveWith(certs);
    try {
      const second = await newServing(ca);
      await writeFile(join(dir, 'tls.crt'), second.cert);
      await eventually(
        () => lines.some((line) => line.includes('does not hold the private key')),
        'the mismatch noticed',
      );
      expect(certs.current().cert).toBe(first.cert);
      expect((await connectOnce(served.port, ca.cert)).fingerprint256).toBe(fingerprint(first.cert));

      await writeFile(join(dir, 'tls.key'), second.key);
      await eventually(() => certs.current().cert === second.cert, 'the completed pair loaded');
      expect((await connectOnce(served.port, ca.cert)).fingerprint256).toBe(fingerprint(second.cert));
    } finally {
      await served.close();
    }
  });
});
