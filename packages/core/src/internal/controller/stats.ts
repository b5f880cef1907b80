// The counts a controller keeps of its runs, shown in the operator's stats.

export interface ControllerStats {
  handled: number;
  failed: number;
  retries: number;
  timeouts: number;
  running: number;
  /** Keys waiting in the queue now (read from the queue, never counted by hand). */
  readonly queued: number;
}

export function emptyStats(queueDepth: () => number): ControllerStats {
  return {
    handled: 0,
    failed: 0,
    retries: 0,
    timeouts: 0,
    running: 0,
    get queued() {
      return queueDepth();
    },
  };
}
