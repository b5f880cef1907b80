// What importing @kubeop/core loads, in a process of its own (the built dist): nothing that an operator without
// webhooks, kubeconfig files or this.crdApi uses, since each costs RSS in every deployed operator (the README's
// Performance section).
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

/** The files and the Node.js built-ins a fresh process loaded to import `@kubeop/core`. */
function importCore(): { files: string[]; builtins: string[] } {
  const script = `
    import { registerHooks } from 'node:module';
    const files = [];
    registerHooks({ load(url, context, next) { files.push(url); return next(url, context); } });
    await import(${JSON.stringify(pathToFileURL(ENTRY).href)});
    process.stdout.write(JSON.stringify({ files, builtins: process.moduleLoadList }));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(output) as { files: string[]; builtins: string[] };
}

describe('importing @kubeop/core', () => {
  const { files, builtins } = importCore();

  it('loads the runtime (the hook sees the files)', () => {
    expect(files.some((url) => url.endsWith('/core/dist/operator.js'))).toBe(true);
  });

  it('leaves out client-node, undici, js-yaml and the webhook server until something uses them', () => {
    const unwanted = [/\/@kubernetes\/client-node\//, /\/undici\//, /\/js-yaml\//, /\/internal\/webhook\/start\.js$/];
    expect(files.filter((url) => unwanted.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it("does not load Node's bundled undici or http2 (an ES module import of node:http would, for its WebSocket)", () => {
    expect(builtins.filter((name) => /internal\/deps\/undici|NativeModule http2$/.test(name))).toEqual([]);
  });
});
