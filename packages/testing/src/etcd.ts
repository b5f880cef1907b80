// etcd's command line, its readiness probe, and compaction through its JSON gateway.
import { execFile } from 'node:child_process';
import { request } from './http.js';
import { TestingError } from './errors.js';

/** etcd answered a gateway request with an error. */
export class EtcdRequestError extends TestingError {
  override name = 'EtcdRequestError';
  readonly code = 'ETCD_REQUEST_FAILED';
  readonly status: number;

  constructor(path: string, status: number, body: string) {
    super(`etcd ${path} answered ${status}: ${body.slice(0, 500)}`);
    this.status = status;
  }
}

const unsafeNoFsync = new Map<string, Promise<boolean>>();

// Not syncing saves seconds per test run on slow disks; the data is thrown away anyway. Older etcd lack the flag.
function supportsUnsafeNoFsync(binary: string, timeoutMs: number): Promise<boolean> {
  let answer = unsafeNoFsync.get(binary);
  if (!answer) {
    answer = new Promise((resolve) => {
      execFile(
        binary,
        ['--help'],
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 << 20 },
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`.includes('--unsafe-no-fsync')),
      );
    });
    unsafeNoFsync.set(binary, answer);
  }
  return answer;
}

export interface EtcdConfig {
  binary: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  extraFlags?: string[];
}

export async function etcdArgs(config: EtcdConfig, probeTimeoutMs: number): Promise<string[]> {
  const client = `http://127.0.0.1:${config.clientPort}`;
  const peer = `http://127.0.0.1:${config.peerPort}`;
  return [
    `--data-dir=${config.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    // The peer URL defaults to :2380 on all interfaces, which two control planes would both claim.
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    '--name=default',
    ...((await supportsUnsafeNoFsync(config.binary, probeTimeoutMs)) ? ['--unsafe-no-fsync=true'] : []),
    ...(config.extraFlags ?? []),
  ];
}

/** Ready when GET /health answers 200. */
export async function etcdHealth(url: string, timeoutMs: number): Promise<string | undefined> {
  const res = await request(`${url}/health`, { timeoutMs });
  return res.status === 200 ? undefined : `GET /health answered ${res.status}: ${res.body.trim()}`;
}

/** Compacts etcd's history up to its current revision (waiting for the physical compaction) and returns that revision. */
export async function compactEtcd(url: string): Promise<number> {
  // Any range request reports the store's current revision in its header; the key need not exist.
  const range = await gateway(url, '/v3/kv/range', { key: Buffer.from('kubeop/compaction-probe').toString('base64') });
  const revision = Number((range as { header?: { revision?: string } }).header?.revision);
  if (!Number.isSafeInteger(revision) || revision <= 0) {
    throw new EtcdRequestError('/v3/kv/range', 200, `no revision in ${JSON.stringify(range)}`);
  }
  try {
    await gateway(url, '/v3/kv/compaction', { revision: String(revision), physical: true });
  } catch (error) {
    // Compacting twice at one revision is a no-op, not a failure.
    if (!(error instanceof EtcdRequestError && error.message.includes('required revision has been compacted')))
      throw error;
  }
  return revision;
}

async function gateway(url: string, path: string, body: object): Promise<unknown> {
  const res = await request(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), timeoutMs: 30_000 });
  if (res.status !== 200) throw new EtcdRequestError(path, res.status, res.body);
  return JSON.parse(res.body) as unknown;
}
