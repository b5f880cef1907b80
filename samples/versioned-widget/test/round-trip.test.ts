// The sample's converters lose nothing: the kit's round-trip check over objects generated from both versions' schemas.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { checkRoundTrips } from '@kubeop/testing/operator';
import { WidgetHandler } from '../src/widget.handler.js';

// Written by the sample's build (kubeop crd --out dist/crds): the schemas the API server holds.
const crd = JSON.parse(readFileSync(new URL('../dist/crds/widgets.samples.kubeop.dev.json', import.meta.url), 'utf8'));

describe('Widget v1 ⇄ v2', () => {
  it('round-trips generated objects both ways', () => {
    expect(checkRoundTrips(WidgetHandler, crd, { numRuns: 500 })).toBeUndefined();
  });
});
