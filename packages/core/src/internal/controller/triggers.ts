// What queues an object besides its own events: changes of the objects it owns, @OnTimer ticks and resyncs.
import type { ResourceDescription } from '../../explorer.js';
import type { Logger } from '../../logging.js';
import { type Intent, NOTHING } from '../dispatch/dispatch.js';
import { controllerOwner, type OwnerType, ownedChanged } from '../dispatch/owners.js';
import { TimerScheduler } from '../timer/timer-scheduler.js';
import type { WatchEvent } from '../types/watch-event.js';
import type { ResourceWatcher } from '../watch/watcher.js';

export interface TriggerOptions {
  description: ResourceDescription;
  /** The handled objects' watcher: owners are looked up in its cache. */
  primary: ResourceWatcher;
  /** Watchers of the `@Owns` types. */
  owned: ResourceWatcher[];
  resyncPeriodSeconds: number;
  logger: Logger;
  enqueue: (key: string, intent: Intent) => void;
  /** Whether the object's run is going: a timer tick then is skipped. */
  isRunning: (key: string) => boolean;
}

export class Triggers {
  private readonly timers: TimerScheduler;
  private readonly owner: OwnerType;
  private readonly unsubscribe: Array<() => void> = [];
  private resync: NodeJS.Timeout | undefined;

  constructor(private readonly options: TriggerOptions) {
    const { description } = options;
    this.owner = {
      group: description.resource.group,
      kind: description.resource.kind,
      scope: description.resource.scope,
    };
    this.timers = new TimerScheduler(description.timers, (key, index) => this.onTick(key, index));
  }

  start(): void {
    for (const watcher of this.options.owned)
      this.unsubscribe.push(watcher.subscribe((event) => this.onOwnedEvent(event)));
    const period = this.options.resyncPeriodSeconds;
    if (period > 0) {
      this.resync = setInterval(() => this.onResync(), period * 1000);
      this.resync.unref();
    }
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    clearInterval(this.resync);
    this.timers.stop();
  }

  /** Keeps the timers of each handled object armed while it exists and is not being deleted. */
  onPrimaryEvent(event: WatchEvent, key: string): void {
    if (event.type === 'DELETED' || event.object.metadata.deletionTimestamp) this.timers.untrack(key);
    else this.timers.track(key);
  }

  private onOwnedEvent(event: WatchEvent): void {
    // What existed at start-up is no news: the owners get their start-up run anyway (with @OnReconcile).
    if (event.initial) return;
    // An owner reference moved away from an owner is news to that owner too.
    const candidates = [event.object, event.previous].map((object) => object && controllerOwner(object, this.owner));
    const owners = new Map(candidates.filter((owner) => owner !== undefined).map((owner) => [owner.key, owner]));
    for (const owner of owners.values()) {
      const live = this.options.primary.cache.get(owner.key);
      // Not a handled object (another kind, filtered out by a selector, or an old owner of the same name).
      if (live?.metadata.uid !== owner.uid) continue;
      const intent: Intent = { ...NOTHING, nudged: true, reasons: [ownedChanged(event)] };
      if (event.link) intent.links = [event.link];
      this.options.enqueue(owner.key, intent);
    }
  }

  private onTick(key: string, index: number): void {
    const method = String(this.options.description.timers[index]!.method);
    if (this.options.isRunning(key)) {
      this.options.logger.debug(`skipped @OnTimer(${method}) tick for ${key}: a run is going`, { object: key });
      return;
    }
    this.options.enqueue(key, { ...NOTHING, timers: [index], reasons: [{ type: 'timer', method }] });
  }

  private onResync(): void {
    for (const key of this.options.primary.cache.keys())
      this.options.enqueue(key, { ...NOTHING, nudged: true, reasons: [{ type: 'resync' }] });
  }
}
