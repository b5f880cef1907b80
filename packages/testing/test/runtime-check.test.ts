import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const source = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const CHECKS = { core: source('core/src/runtime-check.ts'), testing: source('testing/src/runtime-check.ts') };

/** Runs a check file (Node strips its types) in a Node that claims to be `version`. */
function runCheck(file: string, version?: string): { status: number | null; stderr: string } {
  const pretend = version
    ? [
        '--import',
        `data:text/javascript,Object.defineProperty(process,'version',{value:'v${version}'});` +
          `Object.defineProperty(process.versions,'node',{value:'${version}'});`,
      ]
    : [];
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', ...pretend, file], {
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

describe('the Node.js version check of @kubeop/testing', () => {
  it('refuses a Node.js too old for client-node with the same message as @kubeop/core', () => {
    const testing = runCheck(CHECKS.testing, '22.18.0');
    expect(testing.status).toBe(1);
    expect(testing.stderr).toContain(
      'kubeop needs Node.js >= 22.19 (@kubernetes/client-node 2.x and undici require it); this is Node.js v22.18.0.',
    );
    const message = (stderr: string) => /Error: (kubeop needs .*)/.exec(stderr)?.[1];
    expect(message(testing.stderr)).toBe(message(runCheck(CHECKS.core, '22.18.0').stderr));
    expect(runCheck(CHECKS.testing, '20.19.5').status).toBe(1);
  });

  it('lets a recent enough Node.js through', () => {
    expect(runCheck(CHECKS.testing, '22.19.0')).toEqual({ status: 0, stderr: '' });
    expect(runCheck(CHECKS.testing)).toEqual({ status: 0, stderr: '' });
  });

  // It runs only if it is evaluated before client-node is: the first import of every entry point.
  it.each([
    'src/index.ts',
    'src/cli.ts',
    'src/jest/checked-global-setup.ts',
    'src/operator-kit/index.ts',
    'src/operator-kit/local-cli.ts',
  ])('is the first import of %s', (entry) => {
    const firstImport = /^import .*$/m.exec(readFileSync(source(`testing/${entry}`), 'utf8'))?.[0];
    expect(firstImport).toMatch(/^import '\.{1,2}\/runtime-check\.js';$/);
  });
});
