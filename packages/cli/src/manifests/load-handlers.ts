// Finds the handler classes among a compiled project's modules: every export carrying kubeop's resource metadata, and
// the classes an entry script hands to bootstrap().
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import 'reflect-metadata';
import { BOOTSTRAP_CAPTURE_KEY, CUSTOM_RESOURCE_KEY, type HandlerClass } from '@kubeop/decorators';
import { CliError } from '../errors.js';

/**
 * Imports each module (compiled JavaScript: the entry script `dist/main.js`, or modules exporting handler classes
 * such as `dist/widget.handler.js`) and returns the classes decorated with @CustomResource or @Resource that they
 * export or pass to bootstrap(). While they load, bootstrap() only hands its classes over: the operator does not run.
 */
export async function loadHandlerClasses(modules: string[]): Promise<HandlerClass[]> {
  const found = new Set<HandlerClass>();
  const add = (value: unknown) => {
    if (typeof value === 'function' && Reflect.hasMetadata(CUSTOM_RESOURCE_KEY, value))
      found.add(value as HandlerClass);
  };
  const global = globalThis as Record<symbol, unknown>;
  global[BOOTSTRAP_CAPTURE_KEY] = (handlers: unknown[]) => handlers.forEach(add);
  try {
    for (const module of modules) {
      const path = resolve(module);
      let exports: Record<string, unknown>;
      try {
        exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      } catch (error) {
        throw new CliError(
          `cannot load ${module}: ${(error as Error).message}${path.endsWith('.ts') ? ' (give the compiled .js file, after npm run build)' : ''}`,
        );
      }
      Object.values(exports).forEach(add);
    }
  } finally {
    delete global[BOOTSTRAP_CAPTURE_KEY];
  }
  if (found.size === 0) {
    throw new CliError(
      `no handler class in ${modules.join(', ')}: give the compiled entry script that calls bootstrap() (dist/main.js), ` +
        'or modules exporting the classes decorated with @CustomResource or @Resource',
    );
  }
  return [...found];
}
