// Creates a uniquely named namespace, so test files sharing one cluster do not see each other's objects.
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';

/** Label put on every namespace created here, to find (and clean) them on a long-lived cluster. */
export const TEST_NAMESPACE_LABEL = 'kubeop.dev/test';

/** `prefix` turned into a DNS-1123 label with a random 6-character suffix, at most 63 characters. */
export function testNamespaceName(prefix: string): string {
  const base =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .slice(0, 56)
      .replace(/^-+|-+$/g, '') || 'test';
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = Array.from(randomBytes(6), (byte) => alphabet[byte % alphabet.length]).join('');
  return `${base}-${suffix}`;
}

/**
 * Creates a namespace named after `prefix` and returns its name. Without a controller-manager a deleted namespace
 * stays Terminating forever, so these are left in place; the cluster is thrown away after the run.
 */
export async function createTestNamespace(kubeConfig: KubeConfig, prefix = 'test'): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (let attempt = 1; ; attempt++) {
    const name = testNamespaceName(prefix);
    try {
      await core.createNamespace({ body: { metadata: { name, labels: { [TEST_NAMESPACE_LABEL]: 'true' } } } });
      return name;
    } catch (error) {
      // 409: the random suffix is taken (unlikely, but cheap to retry).
      if (!(error instanceof ApiException && error.code === 409) || attempt >= 5) throw error;
    }
  }
}
