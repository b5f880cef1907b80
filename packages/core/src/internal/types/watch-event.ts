// What a watch delivers: the event types every stage after the watch (and metrics) share; a leaf importing no stage.
import type { SpanContext } from '@opentelemetry/api';
import type { KubeObject } from '../../kube/objects.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
  /** The state kubeop knew before this event, for MODIFIED and DELETED. */
  previous?: KubeObject;
  /** Delivered by the first list of this watcher: the object existed when watching began. */
  initial?: boolean;
  /** The event's span, when traces are on and it records: the runs it causes link to it. */
  link?: SpanContext;
}

export type WatchListener = (event: WatchEvent) => void;
