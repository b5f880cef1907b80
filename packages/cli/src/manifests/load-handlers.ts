// Finds the handler classes among a compiled project's modules: every export carrying kubeop's resource metadata.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import 'reflect-metadata';
import { CUSTOM_RESOURCE_KEY, type HandlerClass } from '@kubeop/decorators';
import { CliError } from '../errors.js';

/**
 * Imports each module (compiled JavaScript, e.g. `dist/widget.handler.js`; not the file that calls bootstrap(), which
 * would start the operator) and returns the exported classes decorated with @CustomResource or @Resource.
 */
export async function loadHandlerClasses(modules: string[]): Promise<HandlerClass[]> {
  const found = new Set<HandlerClass>();
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
    for (const value of Object.values(exports)) {
      if (typeof value === 'function' && Reflect.hasMetadata(CUSTOM_RESOURCE_KEY, value))
        found.add(value as HandlerClass);
    }
  }
  if (found.size === 0) {
    throw new CliError(
      `no handler class in ${modules.join(', ')}: export the classes decorated with @CustomResource or @Resource from them`,
    );
  }
  return [...found];
}
