// The client-side rate limit (--kube-api-qps, --kube-api-burst): a token bucket, on a fake clock the test moves.
import { describe, expect, it } from '@jest/globals';
import { ClientClosedError, type Clock, TokenBucket } from '../src/kube/rate-limiter.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A clock whose time moves only when the test says, firing the timers that come due. */
class FakeClock implements Clock {
  time = 0;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimer(timer: unknown): void {
    this.timers.delete(timer as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Moves to `ms` later, firing due timers in order, and lets the promises they resolved run. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      await flush();
    }
    this.time = end;
    await flush();
  }
}

function bucket(qps: number, burst: number) {
  const clock = new FakeClock();
  const observed: Array<{ verb: string; seconds: number; waited: boolean }> = [];
  const limiter = new TokenBucket(
    qps,
    burst,
    (verb, seconds, waited) => observed.push({ verb, seconds, waited }),
    clock,
  );
  return { clock, limiter, observed };
}

/** Takes a token and records when it was granted (the fake clock's time), or the error. */
function taker(limiter: TokenBucket, clock: FakeClock, log: string[]) {
  return (name: string, signal?: AbortSignal): void => {
    const wait = limiter.take('GET', signal);
    if (!wait) log.push(`${name}@${clock.time}`);
    else
      wait.then(
        () => log.push(`${name}@${clock.time}`),
        (error: unknown) => log.push(`${name}:${(error as Error).name}`),
      );
  };
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then one request per 1/qps seconds', async () => {
    const { clock, limiter, observed } = bucket(2, 3);
    const log: string[] = [];
    const take = taker(limiter, clock, log);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) take(name);
    expect(log).toEqual(['a@0', 'b@0', 'c@0']);
    expect(limiter.waiting).toBe(3);
    await clock.advance(2_000);
    expect(log).toEqual(['a@0', 'b@0', 'c@0', 'd@500', 'e@1000', 'f@1500']);
    expect(observed.filter((o) => o.waited).map((o) => o.seconds)).toEqual([0.5, 1, 1.5]);
    expect(observed.filter((o) => !o.waited)).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });

  it('saves tokens up to the burst while idle, and no more', async () => {
    const { clock, limiter } = bucket(1, 2);
    const log: string[] = [];
    const take = taker(limiter, clock, log);
    take('a');
    take('b');
    await clock.advance(60_000);
    for (const name of ['c', 'd', 'e']) take(name);
    expect(log).toEqual(['a@0', 'b@0', 'c@60000', 'd@60000']);
    await clock.advance(1_000);
    expect(log.at(-1)).toBe('e@61000');
  });

  it('serves waiting requests first come, first served; a newcomer does not jump the line', async () => {
    const { clock, limiter } = bucket(1, 1);
    const log: string[] = [];
    const take = taker(limiter, clock, log);
    take('a');
    take('b');
    take('c');
    await clock.advance(1_000);
    // A token came free for b; d arrives at the same moment and waits behind c.
    take('d');
    await clock.advance(3_000);
    expect(log).toEqual(['a@0', 'b@1000', 'c@2000', 'd@3000']);
  });

  it("stops a request waiting when its signal aborts, with the signal's reason, and the next moves up", async () => {
    const { clock, limiter, observed } = bucket(1, 1);
    const log: string[] = [];
    const take = taker(limiter, clock, log);
    const abort = new AbortController();
    take('a');
    take('b', abort.signal);
    take('c');
    await clock.advance(500);
    abort.abort(new DOMException('gone', 'AbortError'));
    await clock.advance(0);
    expect(log).toEqual(['a@0', 'b:AbortError']);
    await clock.advance(500);
    expect(log).toEqual(['a@0', 'b:AbortError', 'c@1000']);
    expect(observed.find((o) => o.waited)?.seconds).toBe(0.5);
    // An aborted signal stops a request that would have to wait at once.
    take('d', abort.signal);
    await clock.advance(0);
    expect(log.at(-1)).toBe('d:AbortError');
  });

  it('rejects the waiting requests, and any later one, with ClientClosedError when closed', async () => {
    const { clock, limiter } = bucket(1, 1);
    const log: string[] = [];
    const take = taker(limiter, clock, log);
    take('a');
    take('b');
    limiter.close();
    await clock.advance(0);
    expect(log).toEqual(['a@0', 'b:ClientClosedError']);
    await expect(limiter.take('GET')).rejects.toBeInstanceOf(ClientClosedError);
    expect(clock.pending).toBe(0);
  });

  it('takes fractions of a request a second', async () => {
    const { clock, limiter } = bucket(0.25, 1);
    const log: string[] = [];
    const take = taker(limiter, clock, log);
    take('a');
    take('b');
    await clock.advance(3_999);
    expect(log).toEqual(['a@0']);
    await clock.advance(1);
    expect(log).toEqual(['a@0', 'b@4000']);
  });

  it('refuses a rate or burst it cannot work with', () => {
    expect(() => new TokenBucket(0, 1)).toThrow('qps must be a number > 0, got 0');
    expect(() => new TokenBucket(Infinity, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow('burst must be a whole number >= 1, got 0');
  });
});
