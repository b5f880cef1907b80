// Dry run (`--dry-run`): every write goes to the API server with `dryRun=All`, which validates and admits it but
// stores nothing, and is reported as the change it would have made.

/** The query of a request, as kube/client.ts takes it. */
type Query = Record<string, string | number | boolean | undefined>;

/**
 * In a request's options: it goes as it is whatever the client's dry run says. Set on the dry-run request itself,
 * and by the leader election's Lease writes: two dry-run replicas would both lead on a Lease never stored.
 */
export const DRY_RUN_EXEMPT: unique symbol = Symbol('kubeop.dryRunExempt');

/** What a dry-run write reports, once the API server accepted it. */
export interface DryRunWrite {
  /** POST, PUT, PATCH or DELETE. */
  verb: string;
  /** The request's path: resource, namespace and name (`/api/v1/namespaces/ns/configmaps/a`). */
  path: string;
  /** The body as compact JSON, cut at {@link SUMMARY_LIMIT} characters; undefined without one (a DELETE). */
  body: string | undefined;
}

/** How much of a body a report carries: enough for a status patch or a small object, bounded for a large one. */
export const SUMMARY_LIMIT = 500;

/** Whether `verb` changes something, and so goes as a dry run: every verb but GET (reads and watches). */
export function isWrite(verb: string): boolean {
  return verb !== 'GET';
}

/** The query of a dry-run write: the caller's, with `dryRun=All`. */
export function dryRunQuery(query: Query | undefined): Query {
  return { ...query, dryRun: 'All' };
}

/**
 * `body` as compact JSON, at most `limit` characters (the cut says how long the whole was). The body of a write to a
 * Secret (`path` under `/secrets`) keeps its keys but not its values: a log is no place for keys and tokens.
 */
export function summarizeBody(body: unknown, path: string, limit = SUMMARY_LIMIT): string | undefined {
  if (body === undefined) return undefined;
  if (/\/secrets(\/|$)/.test(path)) body = withoutSecretValues(body);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}… (${text.length} characters)`;
}

const REDACTED = '<redacted>';

/** A Secret (or a merge or apply patch of one) with the values of `data` and `stringData` redacted; anything else, all redacted. */
function withoutSecretValues(body: unknown): unknown {
  let object = body;
  if (typeof body === 'string') {
    try {
      object = JSON.parse(body);
    } catch {
      return REDACTED;
    }
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return REDACTED;
  const copy: Record<string, unknown> = { ...object };
  for (const field of ['data', 'stringData']) {
    const values = copy[field];
    if (typeof values === 'object' && values !== null)
      copy[field] = Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
    else if (values !== undefined) copy[field] = REDACTED;
  }
  return copy;
}

/** A client's dry-run setting (`KubeClient.dryRun`): `send` is where every write of that client goes. */
export class DryRun {
  /** `report`: called with each write the API server accepted as a dry run (the operator logs it). */
  constructor(readonly report: (write: DryRunWrite) => void) {}

  /**
   * Sends the write through `request` (the client's own) with `dryRun=All`; reports it once the API server accepted
   * it (a refusal throws as it would without dry run).
   */
  async send<T, O extends { query?: Query; body?: unknown }>(
    verb: string,
    path: string,
    options: O,
    request: (options: O & { query: Query; [DRY_RUN_EXEMPT]: true }) => Promise<T>,
  ): Promise<T> {
    // A request that asks for a dry run itself (a permission probe) is no write of the operator's: not reported.
    const probe = options.query?.dryRun !== undefined;
    const answer = await request({ ...options, query: dryRunQuery(options.query), [DRY_RUN_EXEMPT]: true });
    if (!probe) this.report({ verb, path, body: summarizeBody(options.body, path) });
    return answer;
  }
}

/** The log line of a dry-run write: `dry run: would PATCH /apis/…/status {"status":{…}}`. */
export function describeDryRunWrite(write: DryRunWrite): string {
  return `dry run: would ${write.verb} ${write.path}${write.body === undefined ? '' : ` ${write.body}`}`;
}
