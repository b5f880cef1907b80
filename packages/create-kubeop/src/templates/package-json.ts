// package.json of the new project: ESM, Node >= 22.19, build (with the generated CRD)/test/start/local/manifests
// scripts, kubeop as ranges.
import { CLIENT_NODE_RANGE, KUBEOP_RANGE, TYPES_NODE_RANGE, TYPESCRIPT_RANGE } from '../versions.js';
import type { Context } from './context.js';

export function packageJson(c: Context): string {
  const pkg = {
    name: c.name,
    version: '0.1.0',
    private: true,
    description: `A Kubernetes operator for ${c.plural}.${c.group}, built with kubeop`,
    type: 'module',
    engines: { node: '>=22.19.0' },
    scripts: {
      // The CRD is the TypeScript type: generated beside main.js, where --create-crd finds it.
      build: 'tsc -p tsconfig.json && kubeop crd --out dist/crds',
      // The flags the Dockerfile and the Deployment of `kubeop manifests` set too (V8's young generation capped, one
      // V8 worker thread).
      start: 'node --max-semi-space-size=1 --v8-pool-size=1 dist/main.js',
      local: 'npm run build && kubeop-local node dist/main.js --create-crd',
      // The build first: the test installs the CRD it generated.
      test: 'npm run build && tsc -p tsconfig.test.json && node --test "dist-test/test/**/*.test.js"',
      // A file, not stdout: `npm run manifests > install.yaml` would carry npm's own banner lines.
      manifests: `npm run build && kubeop manifests dist/main.js --image ${c.name}:0.1.0 --out install.yaml`,
    },
    dependencies: {
      '@kubeop/core': KUBEOP_RANGE,
      '@kubeop/decorators': KUBEOP_RANGE,
      '@kubernetes/client-node': CLIENT_NODE_RANGE,
    },
    devDependencies: {
      '@kubeop/cli': KUBEOP_RANGE,
      '@kubeop/testing': KUBEOP_RANGE,
      '@types/node': TYPES_NODE_RANGE,
      typescript: TYPESCRIPT_RANGE,
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
