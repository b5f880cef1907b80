// Test namespace names are valid DNS-1123 labels derived from the prefix.
import { describe, expect, test } from '@jest/globals';
import { testNamespaceName } from '../src/namespace.js';

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('testNamespaceName', () => {
  test.each([
    ['control-plane', /^control-plane-[a-z0-9]{6}$/],
    ['My_Test.File', /^my-test-file-[a-z0-9]{6}$/],
    ['--weird--', /^weird-[a-z0-9]{6}$/],
    ['', /^test-[a-z0-9]{6}$/],
    ['x'.repeat(100), /^x{56}-[a-z0-9]{6}$/],
  ])('%j', (prefix, expected) => {
    const name = testNamespaceName(prefix);
    expect(name).toMatch(expected);
    expect(name).toMatch(label);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  test('two calls give two names', () => {
    expect(testNamespaceName('a')).not.toBe(testNamespaceName('a'));
  });
});
