// The custom resource most integration tests use; each test file works in its own namespace.
export const testResource = {
  group: 'it.kubeop.dev',
  version: 'v1',
  plural: 'widgets',
  singular: 'widget',
  kind: 'Widget',
} as const;

export interface HandlerCall {
  event: 'added' | 'modified' | 'deleted';
  name: string;
  generation: number;
  spec: unknown;
  status: unknown;
  uid: string;
}
