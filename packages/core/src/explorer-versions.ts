// The explorer's part for served versions: reads @ConvertFrom / @ConvertTo and checks every version has both.
import 'reflect-metadata';
import { CONVERSIONS_KEY, type ConversionRecord, type ResourceRecord, type HandlerClass } from '@kubeop/decorators';

/** Another served version of a custom resource and the two methods converting between it and the storage version. */
export interface VersionDescription {
  /** e.g. `v1`. */
  name: string;
  /** Method converting an object of this version to the storage version (`@ConvertFrom`). */
  convertFrom: string | symbol;
  /** Method converting an object of the storage version to this version (`@ConvertTo`). */
  convertTo: string | symbol;
  deprecated: boolean;
  /** The warning the API server sends with every request at this version; undefined gives its own. */
  deprecationWarning: string | undefined;
}

const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;

/**
 * The other served versions of the class, in declaration order (a subclass's converter replaces its parent's for the
 * same version and direction). Throws `fail(message)` for a version with one converter only, the storage version
 * declared as another, a version declared twice, or conversions on a resource kubeop does not define.
 */
export function collectVersions(
  className: string,
  handlerClass: HandlerClass,
  resource: ResourceRecord,
  fail: (message: string) => Error,
): VersionDescription[] {
  const pairs = new Map<string, { from?: ConversionRecord; to?: ConversionRecord }>();
  for (let proto = handlerClass.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const here = new Set<string>();
    for (const record of (Reflect.getOwnMetadata(CONVERSIONS_KEY, proto) ?? []) as ConversionRecord[]) {
      const decorator = decoratorOf(record);
      const where = `${decorator}('${String(record.version)}') on ${proto.constructor.name}.${String(record.method)}`;
      if (typeof proto[record.method] !== 'function') throw fail(`${where}: not a method`);
      if (!resource.custom)
        throw fail(
          `${where}: versions are converted by the API server through the CRD, so only a @CustomResource class may declare them`,
        );
      if (typeof record.version !== 'string' || !VERSION.test(record.version))
        throw fail(`${where}: "${String(record.version)}" is not a version such as v1, v1alpha1, v2beta3`);
      if (record.version === resource.version)
        throw fail(
          `${where}: ${record.version} is the storage version of ${className} (its @CustomResource version), which every ` +
            'handler sees and needs no converter; declare the other served versions only',
        );
      const key = `${record.direction} ${record.version}`;
      if (here.has(key))
        throw fail(`${proto.constructor.name} has two ${decorator}('${record.version}') methods; keep one`);
      here.add(key);
      const pair = pairs.get(record.version) ?? {};
      pair[record.direction] ??= record; // the most derived class first: a subclass's converter wins
      pairs.set(record.version, pair);
    }
  }
  return [...pairs].map(([name, { from, to }]) => {
    if (!from || !to) {
      const [missing, present] = from ? ['@ConvertTo', from] : ['@ConvertFrom', to!];
      throw fail(
        `${className} declares version ${name} with ${decoratorOf(present)}('${name}') on ${String(present.method)} but has no ` +
          `${missing}('${name}'): a served version needs both converters, to and from the storage version ${resource.version}`,
      );
    }
    return { name, convertFrom: from.method, convertTo: to.method, ...deprecation(className, name, from, to, fail) };
  });
}

function deprecation(
  className: string,
  version: string,
  from: ConversionRecord,
  to: ConversionRecord,
  fail: (message: string) => Error,
): Pick<VersionDescription, 'deprecated' | 'deprecationWarning'> {
  const given = [from.deprecated, to.deprecated].filter((value) => value !== undefined && value !== false);
  if (given.length === 2 && given[0] !== given[1])
    throw fail(
      `${className} marks version ${version} deprecated differently on @ConvertFrom and @ConvertTo ` +
        `(${JSON.stringify(given[0])} and ${JSON.stringify(given[1])}); give the warning on one of them`,
    );
  const value = given[0];
  if (value !== undefined && value !== true && (typeof value !== 'string' || value === ''))
    throw fail(`${className} version ${version}: deprecated must be a warning text or true`);
  return { deprecated: value !== undefined, deprecationWarning: typeof value === 'string' ? value : undefined };
}

function decoratorOf(record: ConversionRecord): string {
  return record.direction === 'from' ? '@ConvertFrom' : '@ConvertTo';
}
