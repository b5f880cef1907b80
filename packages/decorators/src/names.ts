// The names kubeop checks and gives: Kubernetes' rules for API names, and the decorator name of each handler kind.
// A leaf (type imports only), so the project scaffolder can use the same rules without loading the decorators.
import type { EventHandlerRecord, HandlerKind } from './records.js';

/** A DNS subdomain (RFC 1123): lower-case labels joined by dots, 253 characters at most. */
export function isDnsSubdomain(value: string): boolean {
  return (
    value.length <= 253 &&
    value.split('.').every((label) => label.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(label))
  );
}

/** A plural or singular resource name: a lower-case DNS label that starts with a letter, 63 characters at most. */
export function isResourceName(value: string): boolean {
  return value.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/** An API version as Kubernetes orders them: v1, v1alpha1, v2beta3. */
export function isApiVersion(value: string): boolean {
  return /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/.test(value);
}

/** A kind: CamelCase, letters and digits, starting with a capital, 63 characters at most. */
export function isKind(value: string): boolean {
  return value.length <= 63 && /^[A-Z][A-Za-z0-9]*$/.test(value);
}

/** `added` → `@OnAdded`: the decorator that declares a handler of that kind. */
export function decoratorName(kind: HandlerKind): string {
  return `@On${kind[0]!.toUpperCase()}${kind.slice(1)}`;
}

/** `@OnAdded`, `@OnReconcile`, `@OnTimer(method)`: how messages, logs, Events and metrics name a handler. */
export function handlerName(handler: Pick<EventHandlerRecord, 'event' | 'method'>): string {
  const decorator = decoratorName(handler.event);
  return handler.event === 'timer' ? `${decorator}(${String(handler.method)})` : decorator;
}
