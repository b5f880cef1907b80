// describeError: the one way the runtime turns anything thrown into text.
import { describe, expect, it } from '@jest/globals';
import { runInNewContext } from 'node:vm';
import { describeError } from '../src/internal/util/describe-error.js';

describe('describeError', () => {
  it('gives the message of an error and the string of anything else', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(undefined)).toBe('undefined');
  });

  it('shows a thrown object as bounded JSON, never [object Object]', () => {
    expect(describeError({ code: 42, reason: 'nope' })).toBe('{"code":42,"reason":"nope"}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // A cycle cannot be JSON: it is named by its type rather than thrown on while reporting a failure.
    expect(describeError(cyclic)).toBe('[object Object]');
    expect(describeError({ long: 'x'.repeat(1000) })).toMatch(/… \(1011 characters\)$/);
  });

  it('reads errors of another realm, which are no instanceof Error here', () => {
    const foreign: unknown = runInNewContext('new Error("from a vm")');
    expect(foreign instanceof Error).toBe(false);
    expect(describeError(foreign)).toBe('from a vm');
  });

  it('appends the cause code, else the cause message, only when asked', () => {
    const refused = new Error('connect failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) });
    expect(describeError(refused)).toBe('connect failed');
    expect(describeError(refused, { withCause: true })).toBe('connect failed (ECONNREFUSED)');
    const wrapped = new Error('outer', { cause: new Error('inner') });
    expect(describeError(wrapped, { withCause: true })).toBe('outer (inner)');
    expect(describeError(new Error('alone'), { withCause: true })).toBe('alone');
  });

  it('keeps the first line when asked, and never returns an empty text', () => {
    expect(describeError(new Error('\n  first\nsecond'), { firstLine: true })).toBe('first');
    expect(describeError(new Error(''))).toBe('no message');
    expect(describeError(new Error('\n\n'), { firstLine: true })).toBe('no message');
  });
});
