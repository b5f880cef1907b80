// Merges the causes of an object's pending run: bounded, one entry per cause, spec changes spanning their range.
import { MAX_REASONS, type RunReason } from '../../reasons.js';

export function mergeReasons(older: RunReason[] | undefined, newer: RunReason[] | undefined): RunReason[] {
  if (!older?.length) return newer ?? [];
  if (!newer?.length) return older;
  const merged = [...older];
  for (const reason of newer) {
    const index = merged.findIndex((existing) => sameCause(existing, reason));
    if (index < 0) {
      merged.push(reason);
      continue;
    }
    const existing = merged[index]!;
    merged.splice(index, 1);
    // Two spec changes pending at once read as one, from the first old generation to the last new one.
    merged.push(
      existing.type === 'spec-changed' && reason.type === 'spec-changed'
        ? { ...reason, oldGeneration: existing.oldGeneration }
        : reason,
    );
  }
  return merged.length > MAX_REASONS ? merged.slice(-MAX_REASONS) : merged;
}

/** The same cause repeated: the later one replaces it (an owned object's latest event, the latest attempt). */
function sameCause(a: RunReason, b: RunReason): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'owned-changed': {
      const other = b as typeof a;
      return (
        a.kind === other.kind &&
        a.apiVersion === other.apiVersion &&
        a.name === other.name &&
        a.namespace === other.namespace
      );
    }
    case 'timer':
      return a.method === (b as typeof a).method;
    case 'retry':
      return a.handler === (b as typeof a).handler;
    default:
      return true;
  }
}
