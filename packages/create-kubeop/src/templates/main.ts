// src/main.ts: the operator's entry point.
import type { Context } from './context.js';

export function main(c: Context): string {
  return `// The operator: \`node dist/main.js --help\` lists its flags (--create-crd, --namespace, --leader-elect, ...).
import { bootstrap } from '@kubeop/core';
import { ${c.handlerClass} } from './${c.file}.handler.js';

await bootstrap({ handlers: [${c.handlerClass}], name: '${c.name}', version: '0.1.0' });
`;
}
