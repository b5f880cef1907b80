import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { HandlerTimeoutError, supervise } from '../src/internal/run/supervise.js';

const never = () => new Promise<never>(() => undefined);

describe('supervise', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('rejects at the timeout, after telling onTimeout', async () => {
    const onTimeout = jest.fn();
    const run = supervise(never(), {
      what: '@OnAdded handler for ns/x',
      timeoutSeconds: 5,
      slowEveryMs: 1000,
      onSlow: jest.fn(),
      onTimeout,
    });
    const settled = run.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(4999);
    expect(onTimeout).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    const error = await settled;
    expect(error).toBeInstanceOf(HandlerTimeoutError);
    expect((error as Error).message).toBe('@OnAdded handler for ns/x timed out after 5 s');
    expect(onTimeout).toHaveBeenCalledWith(error);
  });

  it('reports a run without a timeout every period while it goes on, and stops when it ends', async () => {
    const onSlow = jest.fn();
    let finish!: (value: string) => void;
    const run = supervise(new Promise<string>((resolve) => (finish = resolve)), {
      what: 'x',
      timeoutSeconds: 0,
      slowEveryMs: 60_000,
      onSlow,
      onTimeout: jest.fn(),
    });
    await jest.advanceTimersByTimeAsync(59_999);
    expect(onSlow).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(120_001);
    expect(onSlow.mock.calls.map(([elapsed]) => elapsed)).toEqual([60_000, 120_000, 180_000]);
    finish('done');
    await expect(run).resolves.toBe('done');
    await jest.advanceTimersByTimeAsync(120_000);
    expect(onSlow).toHaveBeenCalledTimes(3);
  });

  it('passes a failure of the run through', async () => {
    await expect(
      supervise(Promise.reject(new Error('boom')), {
        what: 'x',
        timeoutSeconds: 1,
        slowEveryMs: 1000,
        onSlow: jest.fn(),
        onTimeout: jest.fn(),
      }),
    ).rejects.toThrow('boom');
  });
});
