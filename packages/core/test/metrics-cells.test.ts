// Cell-backed metric families: the same exposition text and JSON as prom-client's own families given the same updates.
import { describe, expect, it } from '@jest/globals';
import { Counter, Histogram, Registry } from 'prom-client';
import { CellCounter, CellHistogram } from '../src/internal/metrics/cells.js';

const BUCKETS = [0.005, 0.025, 0.1, 1];

describe('cell-backed metric families', () => {
  it("expose what prom-client's own counter and histogram expose for the same updates", async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const labelNames = ['controller', 'result'] as const;
    const c = { name: 'x_total', help: 'Counted things', labelNames };
    const h = { name: 'x_seconds', help: 'Timed things', labelNames: ['controller'] as const, buckets: BUCKETS };
    const counter = new Counter({ ...c, registers: [theirs] });
    const histogram = new Histogram({ ...h, registers: [theirs] });
    const cellCounter = new CellCounter({ ...c, registers: [ours] });
    const cellHistogram = new CellHistogram({ ...h, registers: [ours] });

    const ok = { controller: 'a', result: 'success' };
    const error = { controller: 'b', result: 'error' };
    counter.labels(ok).inc(0);
    counter.labels(error).inc(0);
    cellCounter.cell(ok);
    cellCounter.cell(error);
    for (let i = 0; i < 3; i++) {
      counter.labels(ok).inc();
      cellCounter.cell(ok).inc();
    }
    histogram.zero({ controller: 'a' });
    histogram.zero({ controller: 'b' });
    const timed = cellHistogram.cell({ controller: 'a' });
    cellHistogram.cell({ controller: 'b' });
    // On a bound (le is inclusive), between bounds, and above the top one (only +Inf).
    for (const seconds of [0.005, 0.02, 0.025, 0.5, 7]) {
      histogram.labels({ controller: 'a' }).observe(seconds);
      timed.observe(seconds);
    }

    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('x_seconds_bucket{le="0.025",controller="a"} 3');
    expect(text).toContain('x_seconds_bucket{le="1",controller="a"} 4');
    expect(text).toContain('x_seconds_bucket{le="+Inf",controller="a"} 5');
    expect(text).toContain('x_seconds_count{controller="b"} 0');
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('gives the same cell for the same labels, and a series from its first cell() at 0', async () => {
    const registry = new Registry();
    const counter = new CellCounter({ name: 'y_total', help: 'y', labelNames: ['k'], registers: [registry] });
    expect(await registry.metrics()).not.toContain('y_total{');
    const one = counter.cell({ k: 'one' });
    expect(counter.cell({ k: 'one' })).toBe(one);
    expect(counter.cell({ k: 'two' })).not.toBe(one);
    one.inc(2);
    const text = await registry.metrics();
    expect(text).toContain('y_total{k="one"} 2');
    expect(text).toContain('y_total{k="two"} 0');
  });
});
