// Why a handler runs: what happened to the object (and the objects it owns) since its last run.

/** One cause of a run; a run gets every cause collected since the last run of that object, oldest first. */
export type RunReason =
  /** Listed when the operator (or this replica's leadership) started: the object existed before. */
  | { type: 'startup' }
  /** Created while the operator was watching (or seen again after a relist). */
  | { type: 'added' }
  /** `metadata.generation` changed: for a resource with the status subresource, the spec changed. */
  | { type: 'spec-changed'; oldGeneration: number | undefined; newGeneration: number | undefined }
  /** A change that left the generation alone (labels, annotations, status); only with `everyChange`. */
  | { type: 'changed' }
  /** An object this one owns (its controller owner reference points here) was added, changed or deleted. */
  | {
      type: 'owned-changed';
      apiVersion: string;
      kind: string;
      name: string;
      namespace?: string;
      event: 'added' | 'modified' | 'deleted';
    }
  /** An `@OnTimer` interval passed. */
  | { type: 'timer'; method: string }
  /** The previous run of `handler` failed; this is attempt `attempt`. */
  | { type: 'retry'; handler: string; attempt: number }
  /** The previous run asked for it with `requeueAfter`. */
  | { type: 'requeue' }
  /** `--resync-period` passed. */
  | { type: 'resync' }
  /** The object is being deleted (or is gone). */
  | { type: 'deleted' }
  /** The `kubeop.dev/paused` annotation was removed: the run carries what came due while the object was paused. */
  | { type: 'unpaused' };

/** Collected causes are bounded per object: past this the oldest go, so a storm of child changes costs no memory. */
export const MAX_REASONS = 16;
