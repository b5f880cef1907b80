// External webhook certificates: tls.crt and tls.key (and ca.crt) from a folder such as a mounted cert-manager Secret, re-read when they change.
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../logging.js';
import { sleep } from '../../util/backoff.js';
import { CertificateFileError } from './errors.js';
import { joinBundle, keyMatches, parseCertificate, splitBundle, validityOf } from './pem.js';
import { ChangeListeners, type CertificateSource, type ServingKeyPair } from './source.js';

export interface CertificateDirectoryOptions {
  /** The folder, e.g. `--webhook-cert-dir`. */
  dir: string;
  logger: Logger;
  /** How often the files are read besides on change events (which some volumes do not send). Defaults to 10 s, as controller-runtime's certwatcher. */
  pollIntervalSeconds?: number;
  /** How long start() waits for tls.key to match tls.crt (a rewrite caught halfway). Defaults to 5 s. */
  consistentWithinSeconds?: number;
}

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';
export const CA_FILE = 'ca.crt';

interface Loaded extends ServingKeyPair {
  bundle: string;
  notAfter: Date;
}

export function certificatesFromDirectory(options: CertificateDirectoryOptions): CertificateSource {
  return new DirectoryCertificates(options);
}

class DirectoryCertificates implements CertificateSource {
  private loaded: Loaded | undefined;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** The problem last logged, so a file that stays broken is reported once, not every poll. */
  private problem: string | undefined;
  private readonly listeners: ChangeListeners;

  constructor(private readonly options: CertificateDirectoryOptions) {
    this.listeners = new ChangeListeners((error) =>
      options.logger.error('A webhook certificate change listener failed', { error }),
    );
  }

  async start(): Promise<void> {
    if (this.loaded) return;
    const deadline = Date.now() + (this.options.consistentWithinSeconds ?? 5) * 1000;
    for (;;) {
      try {
        this.loaded = await readPair(this.options.dir);
        break;
      } catch (error) {
        // Only a key that does not (yet) match its certificate is worth waiting for; missing files are a mistake.
        if (!(error instanceof MismatchError) || Date.now() >= deadline) throw toFileError(error);
        await sleep(200);
      }
    }
    this.options.logger.info('Webhook certificates loaded', {
      dir: this.options.dir,
      notAfter: this.loaded.notAfter.toISOString(),
    });
    if (this.stopped) return;
    try {
      // kubelet swaps a mounted Secret's `..data` symlink; the folder's own events catch that and plain rewrites alike.
      this.watcher = watch(this.options.dir, () => this.schedule());
      // Like the poller: the servers keep an operator alive, not the watch of a folder.
      this.watcher.unref();
      this.watcher.on('error', (error) => {
        this.options.logger.warn('Stopped watching the webhook certificate folder; polling only', {
          dir: this.options.dir,
          error: String(error),
        });
        this.watcher?.close();
      });
    } catch (error) {
      this.options.logger.warn('Cannot watch the webhook certificate folder; polling only', {
        dir: this.options.dir,
        error: String(error),
      });
    }
    this.poller = setInterval(() => this.schedule(0), (this.options.pollIntervalSeconds ?? 10) * 1000);
    this.poller.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.poller);
    clearTimeout(this.pending);
    await this.reading;
  }

  current(): ServingKeyPair {
    const loaded = this.require();
    return { key: loaded.key, cert: loaded.cert };
  }

  caBundle(): string {
    return this.loaded?.bundle ?? '';
  }

  notAfter(): Date {
    return this.require().notAfter;
  }

  onChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  private require(): Loaded {
    if (!this.loaded)
      throw new Error(`The webhook certificates in ${this.options.dir} are not loaded: start() has not resolved`);
    return this.loaded;
  }

  /** Reads the files soon: a burst of events (a symlink swap makes several) ends in one read. */
  private schedule(delayMs = 50): void {
    if (this.stopped) return;
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.reload(), delayMs);
  }

  /** One read at a time; an event during a read asks for another after it. */
  private reload(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.refresh().finally(() => {
      this.reading = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.reload();
      }
    });
  }

  private async refresh(): Promise<void> {
    let next: Loaded;
    try {
      next = await readPair(this.options.dir);
    } catch (error) {
      // Keep serving what was loaded: a half-written pair becomes consistent, a missing file is an operator's to fix.
      const message = String(toFileError(error).message);
      if (message !== this.problem) {
        const level = error instanceof MismatchError ? 'debug' : 'warn';
        this.options.logger[level]('Webhook certificate files not usable; serving the ones loaded before', {
          error: message,
        });
        this.problem = message;
      }
      return;
    }
    this.problem = undefined;
    const before = this.loaded;
    if (
      this.stopped ||
      (before && next.cert === before.cert && next.key === before.key && next.bundle === before.bundle)
    )
      return;
    this.loaded = next;
    this.options.logger.info('Webhook certificates changed', {
      dir: this.options.dir,
      notAfter: next.notAfter.toISOString(),
    });
    this.listeners.emit();
  }
}

/** tls.key belongs to another certificate than tls.crt: a rewrite seen halfway, or a wrong pair. */
class MismatchError extends CertificateFileError {}

async function readPair(dir: string): Promise<Loaded> {
  const [cert, key, ca] = await Promise.all([
    readText(join(dir, CERT_FILE)),
    readText(join(dir, KEY_FILE)),
    readText(join(dir, CA_FILE), true),
  ]);
  const parsed = parseOrFail(join(dir, CERT_FILE), cert!);
  if (!keyMatches(parsed, key!)) {
    throw new MismatchError(join(dir, KEY_FILE), `does not hold the private key of ${join(dir, CERT_FILE)}`);
  }
  let bundle = '';
  if (ca !== undefined) {
    const blocks = splitBundle(ca);
    if (blocks.length === 0) throw new CertificateFileError(join(dir, CA_FILE), 'holds no PEM certificate');
    for (const block of blocks) parseOrFail(join(dir, CA_FILE), block);
    bundle = joinBundle(blocks);
  }
  return { cert: cert!, key: key!, bundle, notAfter: new Date(validityOf(parsed).notAfter) };
}

async function readText(path: string, optional = false): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && optional) return undefined;
    throw new CertificateFileError(
      path,
      code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(error)})`,
      { cause: error },
    );
  }
}

function parseOrFail(path: string, pem: string) {
  try {
    return parseCertificate(pem);
  } catch (error) {
    throw new CertificateFileError(path, 'holds no valid PEM certificate', { cause: error });
  }
}

function toFileError(error: unknown): CertificateFileError {
  if (error instanceof CertificateFileError) return error;
  return new CertificateFileError('(certificate folder)', `could not be read: ${String(error)}`, { cause: error });
}
