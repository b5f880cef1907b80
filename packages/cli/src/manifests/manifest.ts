// The shape every generated Kubernetes object has: its own file, so the install and monitoring manifests share it
// without importing each other.
export type Manifest = Record<string, unknown> & {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};
