// README.md of the new project: what is where, and its two commands.
import type { Context } from './context.js';

export function readme(c: Context): string {
  return `# ${c.name}

A Kubernetes operator for \`${c.kind}\` objects (\`${c.plural}.${c.group}/${c.version}\`), built with
[kubeop](https://www.npmjs.com/package/@kubeop/core). Needs Node.js >= 22.19; run \`npm install\` once.

## The two commands

\`\`\`sh
npm test        # compiles, starts etcd + kube-apiserver on loopback, runs the operator, checks what it writes
npm run local   # runs the operator on a local control plane until Ctrl-C (prints the KUBECONFIG for kubectl)
\`\`\`

Both need the control-plane binaries: the first run on a machine builds them with Go >= 1.26 (minutes) and caches
them in \`~/.cache/kubeop\`; or set \`KUBEBUILDER_ASSETS\` to a folder holding \`etcd\` and \`kube-apiserver\`.
With \`npm run local\` going, in another terminal:

\`\`\`sh
export KUBECONFIG=$PWD/.kubeop/kubeconfig
kubectl apply -f - <<'YAML'
apiVersion: ${c.group}/${c.version}
kind: ${c.kind}
metadata: { name: first, namespace: default }
spec: { message: kubeop }
YAML
kubectl get ${c.plural} first -o jsonpath='{.status}'
\`\`\`

## What is where

| Path | What |
| --- | --- |
| \`src/${c.file}.handler.ts\` | the handler class: \`@OnAdded\` writes the status, \`@OnDeleted\` runs before an object goes |
| \`src/main.ts\` | \`bootstrap()\`: flags, logging, the watch loop; \`node dist/main.js --help\` |
| \`test/${c.file}.int.test.ts\` | the integration test (\`node:test\`, \`@kubeop/testing\`) |
| \`Dockerfile\` | the image: \`docker build -t ${c.name}:0.1.0 .\` |

\`npm run build\` compiles \`src/\` to \`dist/\` and generates the CRD from the \`Spec\` and \`Status\` types into
\`dist/crds/\` (\`kubeop crd\`; TSDoc tags such as \`@maxLength\` become validation); \`npm start\` runs \`dist/main.js\`
against the cluster of \`KUBECONFIG\` (or in-cluster); add \`--create-crd\` to install that CRD.
\`npm run manifests\` writes \`install.yaml\`, everything that installs the operator in a cluster: its namespace, the CRD,
a ServiceAccount, least-privilege RBAC computed from the handler class, and a Deployment (\`kubeop manifests --help\`
for the options). Then \`kubectl apply -f install.yaml\`.
`;
}
