// The import graph of every package's src: no circle of files anywhere, and the runtime's pipeline folders point
// one way (watch → queue → dispatch → run), with metrics and the shared types importing no stage.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PACKAGES = join(ROOT, 'packages');
const STAGES = ['watch', 'queue', 'dispatch', 'run'];
const INTERNAL = 'packages/core/src/internal/';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'templates' ? [] : sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The source file an import names, or undefined for packages outside the repository. */
function resolveImport(from: string, specifier: string): string | undefined {
  const candidates: string[] = [];
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(from), specifier);
    candidates.push(
      target.replace(/\.js$/, '.ts'),
      target.replace(/\.js$/, '.tsx'),
      `${target}.ts`,
      join(target, 'index.ts'),
    );
  } else {
    const match = /^@kubeop\/([^/]+)(?:\/(.+))?$/.exec(specifier) ?? /^(create-kubeop)(?:\/(.+))?$/.exec(specifier);
    if (!match) return undefined;
    const src = join(PACKAGES, match[1]!, 'src');
    candidates.push(
      match[2] ? join(src, `${match[2]}.ts`) : join(src, 'index.ts'),
      join(src, match[2] ?? '', 'index.ts'),
    );
  }
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}

/** Every file's imports (type-only and re-exports included), as repository-relative paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(PACKAGES).flatMap((name) => {
    const src = join(PACKAGES, name, 'src');
    return existsSync(src) ? sources(src) : [];
  });
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => resolveImport(file, imported.fileName))
      .filter((target): target is string => target !== undefined)
      .map((target) => relative(ROOT, target));
    graph.set(relative(ROOT, file), [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** The runtime folder a file is in (`watch`, `metrics`, ...), if it is under core's internal/. */
function folderOf(file: string): string | undefined {
  return file.startsWith(INTERNAL) ? file.slice(INTERNAL.length).split('/')[0] : undefined;
}

/** Imports that go against the pipeline: up a stage, or from metrics, traces or the shared types into any stage. */
function wrongWay(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (from === undefined) continue;
    for (const target of targets) {
      const to = folderOf(target);
      if (to === undefined || to === from || !STAGES.includes(to)) continue;
      // Traces are hooked into every stage, so they import none.
      const leaf = from === 'metrics' || from === 'types' || from === 'trace';
      if (leaf || (STAGES.includes(from) && STAGES.indexOf(to) > STAGES.indexOf(from)))
        found.push(`${file} → ${target}`);
    }
  }
  return found;
}

describe('the import graph of packages/*/src', () => {
  const graph = importGraph();

  it('is read: it holds the pipeline files and their imports', () => {
    expect(graph.get(`${INTERNAL}controller/controller.ts`)).toContain(`${INTERNAL}queue/work-queue.ts`);
    expect(graph.size).toBeGreaterThan(50);
  });

  it('has no circle of files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import from a lower pipeline stage to a higher one, nor from metrics, traces or the shared types into a stage', () => {
    expect(wrongWay(graph)).toEqual([]);
  });

  it('finds a circle and a wrong-way import when there is one', () => {
    const bad = new Map([
      [`${INTERNAL}watch/a.ts`, [`${INTERNAL}run/b.ts`]],
      [`${INTERNAL}run/b.ts`, [`${INTERNAL}watch/a.ts`]],
      [`${INTERNAL}metrics/m.ts`, [`${INTERNAL}watch/a.ts`]],
    ]);
    expect(cycles(bad)).toEqual([[`${INTERNAL}run/b.ts`, `${INTERNAL}watch/a.ts`]]);
    expect(wrongWay(bad)).toEqual([
      `${INTERNAL}watch/a.ts → ${INTERNAL}run/b.ts`,
      `${INTERNAL}metrics/m.ts → ${INTERNAL}watch/a.ts`,
    ]);
  });
});
