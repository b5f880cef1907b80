// The span of one attempt at an object's action, named for the handler class and method it runs.
import type { Span } from '@opentelemetry/api';
import type { ResourceDescription } from '../../explorer.js';
import type { Action, Intent } from '../dispatch/dispatch.js';
import { handlerRecord } from '../dispatch/handlers.js';
import type { OwedStatus } from '../run/execute.js';
import { activeTracer } from '../trace/tracer.js';
import { startRunSpan } from '../trace/spans.js';

export function runSpan(
  description: ResourceDescription,
  action: Exclude<Action, { kind: 'skip' }> | OwedStatus,
  intent: Intent,
  attempt: number,
): Span | undefined {
  if (!activeTracer()) return undefined;
  const className = description.handlerClass.name || 'handler';
  const method = action.kind === 'call' ? String(handlerRecord(description, action.handler).method) : undefined;
  const what = action.kind === 'call' ? method : action.kind === 'status' ? 'status' : 'finalizer';
  return startRunSpan({
    name: action.kind === 'call' ? `${className}.${method}` : `${className} ${what}`,
    object: action.object,
    handler: method,
    attempt,
    reasons: action.kind === 'call' ? action.reasons : intent.reasons,
    links: intent.links,
  });
}
