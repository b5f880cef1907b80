// Records Kubernetes Events on objects (what `kubectl describe` shows), best effort. A repeat of the same
// event on the same object increments the count of the Event already written, as client-go's recorder does.
import { type KubeClient, MERGE_PATCH } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import { type KubeObject, objectKey } from '../../kube/objects.js';
import type { Logger } from '../../logging.js';
import { describeError } from '../util/describe-error.js';

export interface EventRecord {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

interface Written {
  namespace: string;
  name: string;
  count: number;
}

/** Remembered Events; beyond this many the oldest are forgotten and a repeat starts a new Event. */
const REMEMBERED = 4096;

export class EventRecorder {
  private readonly written = new Map<string, Written>();
  /** The write in progress per correlation: a repeat waits for it, so it counts on that Event, not a second one. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly logger: Logger,
  ) {}

  /** Never throws and never fails the run that reports: a failure to record is logged at debug level. */
  record(object: KubeObject, event: EventRecord): void {
    const message = event.message.slice(0, 1024);
    const correlation = [object.metadata.uid ?? objectKey(object), event.type, event.reason, message].join('\u0000');
    const next = (this.inFlight.get(correlation) ?? Promise.resolve())
      .then(() => this.write(object, event, message, correlation))
      .catch((error: unknown) => {
        this.logger.debug(
          `could not record the ${event.reason} Event on ${objectKey(object)}: ${describeError(error)}`,
        );
      })
      .finally(() => {
        if (this.inFlight.get(correlation) === next) this.inFlight.delete(correlation);
      });
    this.inFlight.set(correlation, next);
  }

  private async write(object: KubeObject, event: EventRecord, message: string, correlation: string): Promise<void> {
    const now = new Date().toISOString();
    const previous = this.written.get(correlation);
    if (previous) {
      try {
        await this.client.request('PATCH', `/api/v1/namespaces/${previous.namespace}/events/${previous.name}`, {
          body: { count: previous.count + 1, lastTimestamp: now },
          contentType: MERGE_PATCH,
        });
        previous.count++;
        return;
      } catch (error) {
        // Events expire (an hour by default): start a new one.
        if (!(error instanceof KubeApiError && error.isNotFound)) throw error;
        this.written.delete(correlation);
      }
    }
    const namespace = object.metadata.namespace ?? 'default';
    const created = await this.client.request<{ metadata: { name: string } }>(
      'POST',
      `/api/v1/namespaces/${namespace}/events`,
      {
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { generateName: `${object.metadata.name}.`, namespace },
          involvedObject: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.metadata.name,
            namespace: object.metadata.namespace,
            uid: object.metadata.uid,
            resourceVersion: object.metadata.resourceVersion,
          },
          type: event.type,
          reason: event.reason,
          message,
          source: { component: this.component },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      },
    );
    // A dry-run Event is stored nowhere: a repeat creates (and reports) another rather than patch one that is not there.
    if (this.client.dryRun) return;
    this.written.set(correlation, { namespace, name: created.metadata.name, count: 1 });
    if (this.written.size > REMEMBERED) this.written.delete(this.written.keys().next().value!);
  }
}
