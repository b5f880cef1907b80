// The API-name rules explorer and create-kubeop share, and the decorator name of each handler kind.
import { describe, expect, it } from '@jest/globals';
import {
  decoratorName,
  handlerName,
  isApiVersion,
  isDnsSubdomain,
  isKind,
  isResourceName,
} from '@kubeop/decorators/names';

describe('API-name rules', () => {
  it('takes DNS subdomains of lower-case labels, 253 characters at most', () => {
    expect(['example.com', 'a.b-c.d0', 'apps', '0x.io'].map(isDnsSubdomain)).toEqual([true, true, true, true]);
    expect(['Example.com', 'a..b', '-a.com', 'a_b.com', `${'a'.repeat(64)}.com`].map(isDnsSubdomain)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isDnsSubdomain(`${'a'.repeat(60)}.`.repeat(4) + 'abcdefghijklmn')).toBe(false);
  });

  it('takes resource names that start with a letter, versions as Kubernetes orders them, CamelCase kinds', () => {
    expect([isResourceName('widgets'), isResourceName('0widgets'), isResourceName('Widgets')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(['v1', 'v1alpha1', 'v2beta3', 'v0', '1', 'v1gamma1'].map(isApiVersion)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(['Widget', 'StaticSite2', 'widget', 'Static-Site', 'W'.repeat(64)].map(isKind)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('handler names', () => {
  it('names a handler by its decorator, a timer with its method', () => {
    expect(decoratorName('reconcile')).toBe('@OnReconcile');
    expect(handlerName({ event: 'added', method: 'create' })).toBe('@OnAdded');
    expect(handlerName({ event: 'timer', method: 'refresh' })).toBe('@OnTimer(refresh)');
  });
});
