// The answers' checks: what the API server and npm accept, with messages that show a good value.
import { describe, expect, it } from '@jest/globals';
import { checkGroup, checkKind, checkPlural, checkProjectName, checkVersion, pluralOf } from '../src/index.js';
import { kebabOf } from '../src/names.js';

describe('answer checks', () => {
  it('takes a group only as a lower-case DNS subdomain with a dot', () => {
    for (const good of ['example.com', 'widgets.acme.io', 'a-b.c0.dev']) expect(checkGroup(good)).toBeNull();
    for (const bad of ['example', 'Example.com', 'ex_ample.com', '-a.com', 'a..com', `${'a'.repeat(64)}.com`]) {
      expect(checkGroup(bad)).toContain('must be a DNS subdomain with at least one dot');
    }
  });

  it('takes versions such as v1, v1alpha1, v2beta3', () => {
    for (const good of ['v1', 'v1alpha1', 'v2beta3', 'v10']) expect(checkVersion(good)).toBeNull();
    for (const bad of ['1', 'v0', 'V1', 'v1alpha', 'v1gamma1', 'v1.0'])
      expect(checkVersion(bad)).toMatch(/must look like v1, v1alpha1 or v2beta3/);
  });

  it('takes a CamelCase kind and a lower-case plural', () => {
    for (const good of ['Widget', 'StaticSite', 'S3Bucket']) expect(checkKind(good)).toBeNull();
    for (const bad of ['widget', 'Static Site', 'Static-Site', '9Lives', ''])
      expect(checkKind(bad)).toMatch(/must be CamelCase/);
    expect(checkPlural('static-sites')).toBeNull();
    expect(checkPlural('Widgets')).toMatch(/must be lower case/);
  });

  it('takes an npm package name as the project name', () => {
    expect(checkProjectName('my-operator')).toBeNull();
    expect(checkProjectName('My Operator')).toMatch(/valid npm package name/);
  });
});

describe('derived names', () => {
  it('makes the plural and file name of a kind', () => {
    expect([pluralOf('Widget'), pluralOf('Policy'), pluralOf('Gateway'), pluralOf('Box'), pluralOf('Batch')]).toEqual([
      'widgets',
      'policies',
      'gateways',
      'boxes',
      'batches',
    ]);
    expect([kebabOf('StaticSite'), kebabOf('S3Bucket'), kebabOf('HTTPRoute')]).toEqual([
      'static-site',
      's3-bucket',
      'http-route',
    ]);
  });
});
