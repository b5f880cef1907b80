// client-node stays off the runtime's start-up path: no module of core imports it but the lazy loader, and the
// operator pre-loads it only for handler classes whose code reads this.crdApi or this.kubeConfig.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ResourceHandler } from '../src/handler.js';
import { mentionsClientNode } from '../src/kube/client-node.js';

const src = fileURLToPath(new URL('../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('@kubernetes/client-node in core', () => {
  it('is imported for types only, except by the lazy loader', () => {
    const runtimeImports = sources(src).flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\b)[^;]*?from\s+'(@kubernetes\/client-node[^']*)'/gms),
      ].map((match) => `${relative(src, file)}: ${match[1]}`),
    );
    expect(runtimeImports).toEqual([]);
    const dynamic = sources(src).filter((file) => /import\('@kubernetes\/client-node/.test(readFileSync(file, 'utf8')));
    expect(dynamic.map((file) => relative(src, file))).toEqual([join('kube', 'client-node.ts')]);
  });
});

describe('mentionsClientNode', () => {
  class Plain extends ResourceHandler {
    added() {
      this.status = { state: 'done' };
    }
  }
  class UsesCrdApi extends ResourceHandler {
    async added() {
      await this.crdApi.listClusterCustomObject({ group: 'g', version: 'v1', plural: 'p' });
    }
  }
  class Base extends ResourceHandler {
    protected server() {
      return this.kubeConfig.getCurrentCluster()?.server;
    }
  }
  class Derived extends Base {
    added() {
      this.status = { state: this.server() };
    }
  }

  it('finds this.crdApi or this.kubeConfig in the class or a base class, and nothing in ResourceHandler itself', () => {
    expect(mentionsClientNode(UsesCrdApi, ResourceHandler)).toBe(true);
    expect(mentionsClientNode(Derived, ResourceHandler)).toBe(true);
    expect(mentionsClientNode(Plain, ResourceHandler)).toBe(false);
    expect(mentionsClientNode(class {}, ResourceHandler)).toBe(false);
  });
});
