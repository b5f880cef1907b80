// Keeps a paused object's work (the kubeop.dev/paused annotation) until it is unpaused: no handler, finalizer or
// status step runs meanwhile, the work is owed and runs once after, and the object shows a Paused condition.
import type { ResourceDescription } from '../../explorer.js';
import type { KubeClient } from '../../kube/client.js';
import type { KubeObject } from '../../kube/objects.js';
import { fullName, objectPath } from '../../kube/resource.js';
import type { Logger } from '../../logging.js';
import { PAUSED_ANNOTATION, PAUSED_VALUE } from '../../pause.js';
import { hasWork, type Intent, mergeIntents, NOTHING, withoutDeletion } from '../dispatch/dispatch.js';
import { isPaused, pauseNews, showsPaused } from '../dispatch/pause.js';
import { showPausedCondition } from '../run/pause-condition.js';
import type { WatchEvent } from '../types/watch-event.js';
import { describeError } from '../util/describe-error.js';

export interface PauseGateOptions {
  description: ResourceDescription;
  client: KubeClient;
  logger: Logger;
  /** Asks for a run of `key` after `delayMs`: a condition write that failed is tried again then. */
  retryLater: (key: string, delayMs: number) => void;
}

/** How long a failed write of the Paused condition waits before it is tried again. */
export const CONDITION_RETRY_MS = 5_000;

interface Parked {
  /** The object the work is owed to: an object of the same name made later owes nothing of it. */
  uid: string | undefined;
  intent: Intent;
  /** Its deletion was seen (and told) while paused. */
  deleting: boolean;
}

export class PauseGate {
  /** Every paused object that came through the controller, with the work it is owed. */
  private readonly parked = new Map<string, Parked>();
  /** Objects whose condition could not be written: their next run (a retry, asked for, or any change) writes it. */
  private readonly unshown = new Set<string>();
  /** Why this resource's objects cannot show the condition, once told. */
  private conditionUnavailable: 'pruned' | 'no-status' | undefined;

  constructor(private readonly options: PauseGateOptions) {}

  /** Paused objects known (the `kubeop_paused_objects` gauge). */
  get size(): number {
    return this.parked.size;
  }

  /** What an event of a handled object asks beyond its own intent: a run to show the pause, or to lift it. */
  onEvent(event: WatchEvent, key: string): Intent | undefined {
    const news = pauseNews(event);
    if (!news) return undefined;
    if (news.unknownValue !== undefined)
      this.options.logger.warn(
        `${key} is not paused: its annotation ${PAUSED_ANNOTATION} is "${news.unknownValue}", and only ` +
          `"${PAUSED_VALUE}" pauses (set it to "${PAUSED_VALUE}", or remove it)`,
        { object: key },
      );
    if (news.change === 'paused') return { ...NOTHING };
    if (news.change === 'unpaused') return { ...NOTHING, reasons: [{ type: 'unpaused' }] };
    return undefined;
  }

  /**
   * Whether {@link admit} has anything to do for a run of `key`: one annotation lookup for nearly every run (the
   * status is read only at first sight, for a Paused condition left from before a restart).
   */
  concerns(key: string, intent: Intent, object: KubeObject | undefined): boolean {
    if (object && isPaused(object)) return true;
    if (intent.deleted && isPaused(intent.deleted)) return true;
    if (this.parked.size > 0 && this.parked.has(key)) return true;
    if (this.unshown.size > 0 && this.unshown.has(key)) return true;
    return intent.added && !!object && showsPaused(object);
  }

  /**
   * The intent to carry out now, or undefined: the object is paused (its work is kept, owed) or nothing is left.
   * Once unpaused, the work kept runs with the new intent, as one run; the condition says "False".
   */
  async admit(key: string, intent: Intent, object: KubeObject | undefined): Promise<Intent | undefined> {
    const { logger } = this.options;
    let work: Intent | undefined = intent;
    const { deleted } = intent;
    if (deleted && isPaused(deleted) && deleted.metadata.uid !== object?.metadata.uid) {
      // Gone while paused: no finalizer held it (none, or removed by hand). It can never be unpaused; hands off.
      logger.info(`${key} was deleted while paused: its @OnDeleted handler is not called`, { object: key });
      work = object ? withoutDeletion(intent) : undefined;
    }
    let parked = this.parked.get(key);
    if (parked && parked.uid !== object?.metadata.uid) {
      this.parked.delete(key);
      parked = undefined;
    }
    if (!object) {
      this.unshown.delete(key);
      return work;
    }
    if (isPaused(object)) {
      const deleting = !!object.metadata.deletionTimestamp;
      if (!parked)
        logger.info(`${key} is paused (${PAUSED_ANNOTATION}=${PAUSED_VALUE}): no handler runs until it is removed`, {
          object: key,
        });
      if (deleting && !parked?.deleting)
        logger.info(`${key} is being deleted while paused: kubeop's finalizer holds it until it is unpaused`, {
          object: key,
        });
      const owed = work ? mergeIntents(parked?.intent, work) : (parked?.intent ?? { ...NOTHING });
      this.parked.set(key, { uid: object.metadata.uid, intent: owed, deleting });
      logger.debug(`${key} is paused: its work waits`, { object: key, reasons: owed.reasons ?? [] });
      await this.show(key, object, true);
      return undefined;
    }
    if (parked) {
      this.parked.delete(key);
      work = work ? mergeIntents(parked.intent, work) : parked.intent;
      const owed = hasWork(work) || !!work.deleted || work.status !== undefined;
      logger.info(`${key} is unpaused: ${owed ? 'the work owed runs now' : 'nothing came due while it was paused'}`, {
        object: key,
        reasons: work.reasons ?? [],
      });
    }
    await this.show(key, object, false);
    return work;
  }

  /** Makes the object's status show the pause; a failure is logged and tried again later (or at the next run). */
  private async show(key: string, object: KubeObject, paused: boolean): Promise<void> {
    if (this.conditionUnavailable) {
      this.unshown.delete(key);
      return;
    }
    const { description, client, logger } = this.options;
    const { resource } = description;
    const path = objectPath(resource, object.metadata.name, object.metadata.namespace);
    let outcome;
    try {
      outcome = await showPausedCondition(client, path, object, paused);
    } catch (error) {
      logger.warn(
        `could not set the Paused condition of ${key} to ${paused ? '"True"' : '"False"'}: ${describeError(error)}; ` +
          `trying again in ${CONDITION_RETRY_MS / 1000} s`,
        { object: key },
      );
      this.unshown.add(key);
      this.options.retryLater(key, CONDITION_RETRY_MS);
      return;
    }
    this.unshown.delete(key);
    if (outcome !== 'pruned' && outcome !== 'no-status') return;
    this.conditionUnavailable = outcome;
    logger.warn(
      outcome === 'pruned'
        ? `paused ${fullName(resource)} objects cannot show the Paused condition: the CRD's status schema has no ` +
            '"conditions" list, so the API server drops it; declare `conditions` in the status type. Pausing works without it'
        : `paused ${fullName(resource)} objects cannot show the Paused condition: the resource has no status ` +
            'subresource. Pausing works without it',
    );
  }
}
