// Writes a kubeconfig with embedded certificates and loads it into a client-node KubeConfig.
import { KubeConfig } from '@kubernetes/client-node';
import { writeFile } from 'node:fs/promises';

/** The context (and cluster and user) name in kubeconfigs written by this package. */
export const CONTEXT_NAME = 'kubeop-test';

export interface KubeconfigData {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

export function kubeconfigYaml(data: KubeconfigData): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: ${CONTEXT_NAME}
    cluster:
      server: ${data.server}
      certificate-authority-data: ${b64(data.caPem)}
users:
  - name: ${CONTEXT_NAME}-admin
    user:
      client-certificate-data: ${b64(data.certPem)}
      client-key-data: ${b64(data.keyPem)}
contexts:
  - name: ${CONTEXT_NAME}
    context:
      cluster: ${CONTEXT_NAME}
      user: ${CONTEXT_NAME}-admin
      namespace: default
current-context: ${CONTEXT_NAME}
`;
}

/** Writes the file (readable by its owner only: it holds an admin key) and returns a KubeConfig loaded from it. */
export async function writeKubeconfig(path: string, data: KubeconfigData): Promise<KubeConfig> {
  await writeFile(path, kubeconfigYaml(data), { mode: 0o600 });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
}
