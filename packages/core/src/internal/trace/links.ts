// The event spans a pending run links to: merged with its intent, newest kept, bounded.
import type { SpanContext } from '@opentelemetry/api';

/** A burst of events merged into one run links to the latest this many (the oldest are dropped). */
export const MAX_LINKS = 32;

export function mergeLinks(
  older: readonly SpanContext[] | undefined,
  newer: readonly SpanContext[] | undefined,
): SpanContext[] | undefined {
  if (!older?.length) return newer?.slice();
  if (!newer?.length) return older.slice();
  const merged = [...older];
  for (const link of newer) if (!merged.includes(link)) merged.push(link);
  return merged.length > MAX_LINKS ? merged.slice(-MAX_LINKS) : merged;
}
