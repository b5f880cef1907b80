// What a relist tells about the cache: the events between the last known state and the fresh list.
import type { KubeObject } from '../../kube/objects.js';
import type { WatchEvent } from '../types/watch-event.js';

/**
 * Deletions first (what the list lacks), then per listed object: ADDED if unknown, DELETED + ADDED if its uid
 * changed (deleted and created again meanwhile), MODIFIED if its resourceVersion moved; nothing if unchanged.
 */
export function relistDiff(
  known: ReadonlyMap<string, KubeObject>,
  fresh: ReadonlyMap<string, KubeObject>,
): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (const [key, previous] of known) {
    if (!fresh.has(key)) events.push({ type: 'DELETED', object: previous, previous });
  }
  for (const [key, object] of fresh) {
    const previous = known.get(key);
    if (!previous) events.push({ type: 'ADDED', object });
    else if (previous.metadata.uid !== object.metadata.uid) {
      events.push({ type: 'DELETED', object: previous, previous }, { type: 'ADDED', object });
    } else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion) {
      events.push({ type: 'MODIFIED', object, previous });
    }
  }
  return events;
}
