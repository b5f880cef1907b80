// package.json of the new project: ESM, Node >= 22.19, build/test/start/local scripts, kubeop as ranges.
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
      build: 'tsc -p tsconfig.json',
      start: 'node dist/main.js',
      local: 'npm run build && kubeop-local node dist/main.js --create-crd',
      test: 'tsc -p tsconfig.test.json && node --test "dist-test/test/**/*.test.js"',
    },
    dependencies: {
      '@kubeop/core': KUBEOP_RANGE,
      '@kubeop/decorators': KUBEOP_RANGE,
      '@kubernetes/client-node': CLIENT_NODE_RANGE,
    },
    devDependencies: {
      '@kubeop/testing': KUBEOP_RANGE,
      '@types/node': TYPES_NODE_RANGE,
      typescript: TYPESCRIPT_RANGE,
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
