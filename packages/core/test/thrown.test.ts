// Thrown values of any type: kept as the cause of an Error that shows them, bounded.
import { describe, expect, it } from '@jest/globals';
import { asError, describeThrown, ThrownValueError } from '../src/internal/run/thrown.js';

describe('asError', () => {
  it('keeps an Error as it is and wraps anything else, keeping the value as the cause', () => {
    const error = new Error('x');
    expect(asError(error)).toBe(error);
    for (const value of [undefined, null, 0, 'text', { code: 42 }]) {
      const wrapped = asError(value);
      expect(wrapped).toBeInstanceOf(ThrownValueError);
      expect(wrapped.cause).toBe(value);
      expect((wrapped as ThrownValueError).value).toBe(value);
    }
  });
});

describe('describeThrown', () => {
  it('shows values as JSON, bounded in length, and survives values JSON cannot render', () => {
    expect(describeThrown(new Error('boom'))).toBe('boom');
    expect(describeThrown({ code: 42 })).toBe('threw a non-Error value: {"code":42}');
    expect(describeThrown('text')).toBe('threw a non-Error value: "text"');
    expect(describeThrown(undefined)).toBe('threw a non-Error value: undefined');
    expect(describeThrown(10n)).toBe('threw a non-Error value: 10n');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeThrown(cyclic)).toBe('threw a non-Error value: [object Object]');
    expect(describeThrown('x'.repeat(5000)).length).toBeLessThan(400);
  });
});
