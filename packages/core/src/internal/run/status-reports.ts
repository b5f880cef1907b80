// Reports about status writes that recur on every run: each said once (per field, per object generation).
import type { Logger } from '../../logging.js';

/** Fields the CRD schema prunes are lost on every write; `state` matters most, since the state rule reads it. */
export class PrunedFieldReports {
  private readonly reported = new Set<string>();

  constructor(
    private readonly resource: string,
    private readonly logger: Logger,
  ) {}

  report(fields: string[]): void {
    for (const field of fields) {
      if (this.reported.has(field)) continue;
      this.reported.add(field);
      const consequence =
        field === 'status.state'
          ? ': the state rule cannot see that an object was handled, so every restart handles every object again'
          : '';
      const message =
        `the API server dropped ${field} from a status write: the CRD schema of ${this.resource} does not declare it${consequence}. ` +
        `Declare the field in the schema, or mark status with x-kubernetes-preserve-unknown-fields: true`;
      if (field === 'status.state') this.logger.error(message, { field });
      else this.logger.warn(message, { field });
    }
  }
}

/** Failures a re-run cannot fix (an invalid or too large status, an invalid child): said once per generation. */
export class OncePerGeneration {
  /** Per object, the generation last reported and what was reported for it. */
  private readonly reported = new Map<string, { generation: number | undefined; what: Set<string> }>();
  private readonly reportedOnce = new Set<string>();

  /** True the first time `what` is reported for this key and generation (and again after {@link clear}). */
  first(key: string, generation: number | undefined, what: string): boolean {
    let entry = this.reported.get(key);
    if (!entry || entry.generation !== generation) this.reported.set(key, (entry = { generation, what: new Set() }));
    if (entry.what.has(what)) return false;
    entry.what.add(what);
    return true;
  }

  /** True the first time `what` is asked about, ever. */
  once(what: string): boolean {
    if (this.reportedOnce.has(what)) return false;
    this.reportedOnce.add(what);
    return true;
  }

  /** The object's run succeeded: a later failure is news again. */
  clear(key: string): void {
    this.reported.delete(key);
  }
}
