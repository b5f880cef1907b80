// Tells what the failure policy decided: the log line and the Warning Event, each once where the decision says so.
import type { KubeObject } from '../../kube/objects.js';
import type { Logger } from '../../logging.js';
import { OncePerGeneration } from '../run/status-reports.js';
import type { EventRecorder } from './events.js';
import type { FailureDecision } from './failure-policy.js';

export class FailureReport {
  private readonly reported = new OncePerGeneration();

  constructor(
    private readonly logger: Logger,
    private readonly events: EventRecorder,
  ) {}

  /** Logs and records `decision` about `key` (its latest known `object`, if any). */
  tell(decision: FailureDecision, key: string, object: KubeObject | undefined): void {
    const what = decision.event?.reason ?? decision.log.message;
    const fresh =
      decision.reportOnce === 'per-generation' ? this.reported.first(key, object?.metadata.generation, what) : true;
    const logged = decision.reportOnce === 'log-per-resource' ? this.reported.once('log') : fresh;
    const { level, message, fields } = decision.log;
    if (logged) this.logger.log(level, message, fields);
    if (decision.event && object && fresh)
      this.events.record(object, { type: 'Warning', reason: decision.event.reason, message: decision.event.message });
  }

  /** The object's run succeeded: its next failure is news again. */
  succeeded(key: string): void {
    this.reported.clear(key);
  }
}
