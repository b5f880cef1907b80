// kubeop's spans: one per watch event (CONSUMER), one per run linked to the events that caused it (INTERNAL),
// and helpers to run code under a span. Every function returns at once when traces are off.
import type { Attributes, Link, Span, SpanContext } from '@opentelemetry/api';
import { failSpan, type Otel, otel } from '../../kube/otel.js';
import type { KubeObject } from '../../kube/objects.js';
import type { RunReason } from '../../reasons.js';
import type { WatchEvent } from '../types/watch-event.js';
import { activeTracer } from './tracer.js';

export const EVENT_SPAN = 'kubeop.watch.event';

/** The API: loaded whenever a span exists (traces are on). */
const api = (): Otel => otel()!;

/** The object's attributes, on event and run spans alike (those it lacks left out). */
function objectAttributes(object: KubeObject): Attributes {
  const { metadata } = object;
  const attributes: Attributes = {
    'kubeop.object.kind': object.kind,
    'kubeop.object.api_version': object.apiVersion,
    'kubeop.object.name': metadata.name,
  };
  if (metadata.namespace !== undefined) attributes['k8s.namespace.name'] = metadata.namespace;
  if (metadata.uid !== undefined) attributes['kubeop.object.uid'] = metadata.uid;
  if (metadata.resourceVersion !== undefined) attributes['kubeop.object.resource_version'] = metadata.resourceVersion;
  return attributes;
}

/**
 * Starts the span of a watch event, and when it records, leaves its context on the event (`link`) for the runs it
 * causes to link to; the caller ends it once the event is delivered.
 */
export function startEventSpan(event: WatchEvent): Span | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  const { ROOT_CONTEXT, SpanKind } = api();
  const span = tracer.startSpan(
    EVENT_SPAN,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'kubeop.event.type': event.type,
        ...(event.initial ? { 'kubeop.event.initial': true } : {}),
        ...objectAttributes(event.object),
      },
    },
    // An event starts a trace of its own, whatever code happened to be running when it came.
    ROOT_CONTEXT,
  );
  if (span.isRecording()) event.link = span.spanContext();
  return span;
}

export interface RunSpanInfo {
  /** `Class.method`, or `Class` plus what the action does (`finalizer`, `status`). */
  name: string;
  object: KubeObject;
  handler: string | undefined;
  attempt: number;
  reasons: readonly RunReason[] | undefined;
  /** The event spans behind the run. */
  links: readonly SpanContext[] | undefined;
}

/** Starts a run's span, linked to every event span that caused it; undefined when traces are off. */
export function startRunSpan(info: RunSpanInfo): Span | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  const { ROOT_CONTEXT, SpanKind } = api();
  const reasons = info.reasons ?? [];
  const links: Link[] = (info.links ?? []).map((linked) => ({ context: linked }));
  return tracer.startSpan(
    `kubeop.run ${info.name}`,
    {
      kind: SpanKind.INTERNAL,
      links,
      attributes: {
        ...objectAttributes(info.object),
        ...(info.handler === undefined ? {} : { 'kubeop.run.handler': info.handler }),
        'kubeop.run.attempt': info.attempt,
        'kubeop.run.reasons': reasons.map((reason) => reason.type),
        'kubeop.run.reason_details': reasons.map((reason) => JSON.stringify(reason)),
      },
    },
    // A run is a trace of its own: its causes are links, as a merged run has many.
    ROOT_CONTEXT,
  );
}

/**
 * Ends a run's span with its outcome (`success`, `requeue`, `requeue_after`, `error`, `terminal_error`); a failure
 * records what was thrown and sets the error status.
 */
export function endRunSpan(span: Span | undefined, outcome: string, thrown?: unknown): void {
  if (!span) return;
  span.setAttribute('kubeop.run.outcome', outcome);
  if (thrown !== undefined) failSpan(span, thrown);
  span.end();
}

/** Runs `fn` with `span` as the active span (its API calls become children, its log lines carry its ids). */
export function inSpan<T>(span: Span, fn: () => T): T {
  const { context, trace } = api();
  return context.with(trace.setSpan(context.active(), span), fn);
}
