// Reports said once: pruned status fields per field, unfixable failures per object generation and kind.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { OncePerGeneration, PrunedFieldReports } from '../src/internal/run/status-reports.js';
import { createRootLogger } from '../src/logging.js';

describe('OncePerGeneration', () => {
  it('says each kind of report once per object generation, and again after a success or a new generation', () => {
    const once = new OncePerGeneration();
    expect(once.first('ns/a', 1, 'InvalidStatus')).toBe(true);
    expect(once.first('ns/a', 1, 'InvalidStatus')).toBe(false);
    expect(once.first('ns/a', 1, 'InvalidChild')).toBe(true);
    expect(once.first('ns/b', 1, 'InvalidStatus')).toBe(true);
    expect(once.first('ns/a', 2, 'InvalidStatus')).toBe(true);
    once.clear('ns/a');
    expect(once.first('ns/a', 2, 'InvalidStatus')).toBe(true);
    expect(once.once('log')).toBe(true);
    expect(once.once('log')).toBe(false);
  });
});

describe('PrunedFieldReports', () => {
  it('logs each pruned field once, status.state as an error naming the state rule', () => {
    const lines: Array<{ level: string; message: string; field: string }> = [];
    const stream = new Writable({
      write: (chunk: Buffer, _e, done) => {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const reports = new PrunedFieldReports('widgets.x', createRootLogger({ level: 'info', format: 'json', stream }));
    reports.report(['status.state', 'status.extra']);
    reports.report(['status.extra']);
    expect(lines.map(({ level, field }) => ({ level, field }))).toEqual([
      { level: 'error', field: 'status.state' },
      { level: 'warn', field: 'status.extra' },
    ]);
    expect(lines[0]!.message).toContain('state rule');
  });
});
