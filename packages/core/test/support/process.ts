// Core's tests run operators as child processes through @kubeop/testing's operator kit, with the sample as default.
import { fileURLToPath } from 'node:url';
import { killOperatorProcesses, type OperatorProcess, spawnOperator as spawn } from '@kubeop/testing/operator';

export type { OperatorProcess };

/** The compiled TestObject sample: `npm test` builds it before jest runs. */
export const SAMPLE_MAIN = fileURLToPath(new URL('../../../../samples/test-object/dist/main.js', import.meta.url));

export function spawnOperator(script: string, args: string[], env: NodeJS.ProcessEnv = {}): OperatorProcess {
  return spawn(script, { args, env });
}

/** Kills children a test left behind (call in afterAll). */
export const killAllOperators = killOperatorProcesses;
