// What every published package must be to install from npm: built on pack, licensed, maps that resolve, ranges.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { CLIENT_NODE_RANGE, KUBEOP_RANGE, TYPESCRIPT_RANGE } from '../src/versions.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PUBLISHED = [
  'packages/decorators',
  'packages/core',
  'packages/testing',
  'packages/cli',
  'packages/create-kubeop',
];
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');

describe.each(PUBLISHED)('%s', (dir) => {
  const pkg = json(`${dir}/package.json`);

  it('builds on pack and ships dist, src (what the source maps point at) and the Apache-2.0 LICENSE', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('tsc -b');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'src', 'LICENSE', 'README.md']));
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(join(ROOT, dir, 'LICENSE'), 'utf8')).toBe(LICENSE);
    expect(existsSync(join(ROOT, dir, 'README.md'))).toBe(true);
    expect(pkg.engines.node).toBe('>=22.19.0');
  });

  it('has an exports map of types and default, types first', () => {
    for (const [path, target] of Object.entries(pkg.exports as Record<string, unknown>)) {
      if (path === './package.json') continue;
      expect(Object.keys(target as object)).toEqual(['types', 'default']);
    }
  });

  it('asks for other kubeop packages by range, and for @kubernetes/client-node as a peer', () => {
    for (const section of ['dependencies', 'peerDependencies']) {
      for (const [name, range] of Object.entries((pkg[section] ?? {}) as Record<string, string>)) {
        if (name.startsWith('@kubeop/')) expect(range).toBe(KUBEOP_RANGE);
      }
    }
    expect(pkg.dependencies?.['@kubernetes/client-node']).toBeUndefined();
  });

  it('has source maps whose sources are in the package', () => {
    const entry =
      Object.values(pkg.exports as Record<string, { default?: string }>)[0]!.default ??
      Object.values(pkg.bin as Record<string, string>)[0]!;
    for (const map of [`${entry}.map`, `${entry.replace(/\.js$/, '.d.ts')}.map`]) {
      const mapPath = join(ROOT, dir, map);
      const { sources } = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const file = join(dirname(mapPath), source);
        expect(existsSync(file)).toBe(true);
        expect(pkg.files).toContain(file.slice(join(ROOT, dir).length + 1).split('/')[0]);
      }
    }
  });
});

describe('the versions a new project asks for', () => {
  it('are those of this repository', () => {
    for (const dir of PUBLISHED) expect(KUBEOP_RANGE).toBe(`^${json(`${dir}/package.json`).version}`);
    expect(TYPESCRIPT_RANGE).toBe(`~${json('package.json').devDependencies.typescript}`);
    expect(json('packages/core/package.json').peerDependencies['@kubernetes/client-node']).toBe(CLIENT_NODE_RANGE);
    expect(json('packages/testing/package.json').peerDependencies['@kubernetes/client-node']).toBe(CLIENT_NODE_RANGE);
    expect(CLIENT_NODE_RANGE).toBe(`^${json('packages/core/package.json').devDependencies['@kubernetes/client-node']}`);
  });
});
