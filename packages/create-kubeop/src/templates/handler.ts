// src/<kind>.handler.ts: one handler class for the custom resource, writing status when an object is added.
import type { Context } from './context.js';

export function handler(c: Context): string {
  return `// Handles ${c.kind} objects (${c.plural}.${c.group}): @OnAdded writes the status, @OnDeleted runs before one goes.
import { CustomResource, OnAdded, OnDeleted } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';

/** What a ${c.kind} asks for; its CRD schema is generated from this type (kubeop crd). */
export interface ${c.kind}Spec {
  /**
   * Who to greet.
   * @maxLength 64
   */
  message?: string;
}

export interface ${c.kind}Status {
  /** kubeop's state rule: @OnAdded runs only while status.state is unset, so a restart does not redo the work. */
  state: 'ready';
  greeting: string;
}

export type ${c.kind} = CustomObject<${c.kind}Spec, ${c.kind}Status>;

@CustomResource({ group: '${c.group}', version: '${c.version}', plural: '${c.plural}', kind: '${c.kind}' })
export class ${c.handlerClass} extends ResourceHandler<${c.kind}Spec, ${c.kind}Status> {
  @OnAdded()
  async added(${c.variable}: ${c.kind}): Promise<void> {
    this.logger.info(\`added \${${c.variable}.metadata.name}\`);
    // A merge patch of the status subresource, written when the handler returns.
    this.status = { state: 'ready', greeting: \`hello, \${${c.variable}.spec?.message ?? 'world'}\` };
  }

  // Guarded by a finalizer (${c.group}/finalizer): the object stays until this returns, even if the operator was down.
  @OnDeleted()
  async deleted(${c.variable}: ${c.kind}): Promise<void> {
    this.logger.info(\`deleted \${${c.variable}.metadata.name}\`);
  }

  // An admission check would go here: the API server asks before it stores an object, and a thrown Denied refuses
  // it with a message (kubeop serves and registers the webhook; see the webhooks section of kubeop's README). It must
  // have no side effects. Uncomment, and import OnValidate from '@kubeop/decorators' and Denied from '@kubeop/core':
  // @OnValidate()
  // check(${c.variable}: ${c.kind}): void {
  //   if (${c.variable}.spec?.message?.trim() === '')
  //     throw new Denied('message must not be blank', { field: 'spec.message' });
  // }
}
`;
}
