// One winston root logger per operator; handlers get children that carry the object and the event.
import type { Writable } from 'node:stream';
import winston from 'winston';
import type { LogLevel } from './cli.js';
import { otel } from './kube/otel.js';

export type Logger = winston.Logger;

export interface LoggingOptions {
  level: LogLevel;
  format: 'text' | 'json';
  /** Where log lines go. Defaults to stderr, so stdout stays free for the program's own output. */
  stream?: Writable;
}

export function createRootLogger(options: LoggingOptions): Logger {
  const { combine, timestamp, errors, json, printf } = winston.format;
  const text = printf(({ timestamp: time, level, message, stack, ...fields }) => {
    const context = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    const line = `${String(time)} ${level.toUpperCase().padEnd(5)} ${String(message)}${context ? ` ${context}` : ''}`;
    return stack ? `${line}\n${String(stack)}` : line;
  });
  const stream = options.stream ?? process.stderr;
  return winston.createLogger({
    level: options.level,
    format: combine(errors({ stack: true }), traceIds(), timestamp(), options.format === 'json' ? json() : text),
    transports: [new winston.transports.Stream({ stream })],
  });
}

/**
 * Adds `trace_id` and `span_id` of the active span (a handler run, a webhook call) when it records. Winston formats a
 * line as it is logged, in the caller's context; off, this is one function call per line.
 */
const traceIds = winston.format((info) => {
  const span = otel()?.trace.getActiveSpan();
  if (span?.isRecording()) {
    const { traceId, spanId } = span.spanContext();
    info.trace_id = traceId;
    info.span_id = spanId;
  }
  return info;
});
