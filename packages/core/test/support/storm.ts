// Creates many objects at a bounded rate, retrying through API server outages, so a storm survives the faults it meets.
import { setTimeout as delay } from 'node:timers/promises';
import type { objects } from './operator.js';

type Objects = ReturnType<typeof objects>;

/** Creates `names` with `parallel` requests at a time; a create that fails for a transient reason is retried. */
export async function createStorm(
  items: Objects,
  names: string[],
  parallel = 10,
  onCreated?: (count: number) => void,
): Promise<void> {
  let next = 0;
  let created = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      for (let attempt = 1; ; attempt++) {
        try {
          await items.create(name);
          break;
        } catch (error) {
          // 409: an earlier attempt was stored though its answer was lost.
          if ((error as { status?: number }).status === 409) break;
          if (attempt > 200) throw error;
          await delay(100);
        }
      }
      onCreated?.(++created);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export function names(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
}
