// The RBAC list in the sample's README is what kubeop manifests grants for StaticSiteHandler, verb for verb.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { operatorRules } from '@kubeop/cli';
import { parse } from 'yaml';
import { StaticSiteHandler } from '../src/static-site.handler.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README of static-site', () => {
  it('lists exactly the rules the generator computes', () => {
    const block = /## RBAC[^]*?```yaml\n([^]*?)```/.exec(README)?.[1];
    expect(block).toBeDefined();
    const { objects } = operatorRules([describeHandlerClass(StaticSiteHandler)], {
      createCrd: false,
      updateCrd: false,
    });
    expect(parse(block!)).toEqual(objects);
  });
});
