// Converts one object between the served versions of a resource through its storage version (hub and spokes).
import { KubeopError } from '../../errors.js';
import type { ResourceDescription } from '../../explorer.js';
import type { VersionDescription } from '../../explorer-versions.js';
import type { KubeObject } from '../../kube/objects.js';
import { describeError } from '../util/describe-error.js';
import { CONVERSION_DATA_ANNOTATION, restoreStash, stashFor } from './stash.js';

/** A converter threw or returned something that is not an object; the message names the converter and the object. */
export class ConversionError extends KubeopError {
  override readonly name = 'ConversionError';
  readonly code = 'CONVERSION_FAILED';
}

type ConvertMethod = (object: KubeObject) => unknown;

/**
 * The conversions of one handler class. Objects of another version go to the storage version by its `@ConvertFrom`,
 * from it by its `@ConvertTo`, and between two other versions through the storage version. What the target version
 * cannot hold is stashed in the `kubeop.dev/conversion-data` annotation and put back on the way up; the converters
 * never see that annotation. Metadata is kept as it was, but for the labels and annotations a converter sets (all
 * the API server lets a conversion change).
 */
export class Converter {
  readonly group: string;
  readonly storageVersion: string;
  private readonly className: string;
  private readonly instance: object;
  private readonly versions: Map<string, VersionDescription>;

  constructor(description: Pick<ResourceDescription, 'handlerClass' | 'resource' | 'versions'>) {
    this.group = description.resource.group;
    this.storageVersion = description.resource.version;
    this.className = description.handlerClass.name;
    // Converters are pure: they run on an instance bound to no object (no this.object, this.client, ...).
    this.instance = Object.create(description.handlerClass.prototype as object) as object;
    this.versions = new Map(description.versions.map((version) => [version.name, version]));
  }

  /** Every served version, the storage version first. */
  get servedVersions(): string[] {
    return [this.storageVersion, ...this.versions.keys()];
  }

  /** `object` at `version` (a version name such as `v1`, not an apiVersion). Throws ConversionError. */
  convert(object: KubeObject, version: string): KubeObject {
    const from = this.versionOf(object);
    this.versionDescription(version, object);
    if (from === version) return object;
    const storage = from === this.storageVersion ? object : this.up(object, from);
    return version === this.storageVersion ? storage : this.down(storage, version);
  }

  /** The version of an object of this resource's group; throws when it is of another group or an unknown version. */
  versionOf(object: KubeObject): string {
    const apiVersion = typeof object?.apiVersion === 'string' ? object.apiVersion : '';
    const slash = apiVersion.lastIndexOf('/');
    const [group, version] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
    if (group !== this.group)
      throw new ConversionError(
        `${describe(object)} has apiVersion ${JSON.stringify(object?.apiVersion)}, not one of ${this.group}, which ${this.className} converts`,
      );
    this.versionDescription(version, object);
    return version;
  }

  private versionDescription(version: string, object: KubeObject): VersionDescription | undefined {
    if (version === this.storageVersion) return undefined;
    const description = this.versions.get(version);
    if (!description)
      throw new ConversionError(
        `${describe(object)}: ${this.group}/${version} is not a version ${this.className} declares ` +
          `(it serves ${this.servedVersions.join(', ')}; another needs @ConvertFrom and @ConvertTo)`,
      );
    return description;
  }

  /** Another version → the storage version, with the stashed fields put back and the stash dropped. */
  private up(object: KubeObject, version: string): KubeObject {
    const { convertFrom } = this.versionDescription(version, object)!;
    const stash = object.metadata?.annotations?.[CONVERSION_DATA_ANNOTATION];
    const converted = this.call(convertFrom, `@ConvertFrom('${version}')`, withoutStash(object), object);
    const storage = finish(converted, object, `${this.group}/${this.storageVersion}`, undefined);
    restoreStash(storage, stash);
    return storage;
  }

  /** The storage version → another version, with what that version loses stashed on it. */
  private down(storage: KubeObject, version: string): KubeObject {
    const { convertTo, convertFrom } = this.versionDescription(version, storage)!;
    const input = withoutStash(storage);
    const converted = this.call(convertTo, `@ConvertTo('${version}')`, input, storage);
    const target = finish(converted, storage, `${this.group}/${version}`, undefined);
    const back = this.call(convertFrom, `@ConvertFrom('${version}')`, withoutStash(target), target);
    return finish(converted, storage, `${this.group}/${version}`, stashFor(input, back as KubeObject));
  }

  private call(method: string | symbol, decorator: string, input: KubeObject, original: KubeObject): KubeObject {
    const name = `${this.className}.${String(method)} (${decorator})`;
    const fn = (this.instance as Record<string | symbol, unknown>)[method] as ConvertMethod;
    let result: unknown;
    try {
      result = fn.call(this.instance, structuredClone(input));
    } catch (error) {
      throw new ConversionError(`${name} failed on ${describe(original)}: ${describeError(error)}`, { cause: error });
    }
    if (typeof result !== 'object' || result === null || Array.isArray(result) || result instanceof Promise)
      throw new ConversionError(
        `${name} returned ${result instanceof Promise ? 'a Promise' : Array.isArray(result) ? 'an array' : String(result)} for ${describe(original)}: ` +
          'a converter returns the converted object, synchronously',
      );
    return result as KubeObject;
  }
}

/** `namespace/name` (and the uid when there is no name), as the error messages name an object. */
function describe(object: KubeObject): string {
  const meta = object?.metadata ?? {};
  const name = meta.namespace ? `${meta.namespace}/${String(meta.name)}` : String(meta.name ?? meta.uid ?? '(unnamed)');
  return `${String(object?.kind ?? 'object')} ${name}`;
}

function withoutStash(object: KubeObject): KubeObject {
  const annotations = object.metadata?.annotations;
  if (!annotations || !(CONVERSION_DATA_ANNOTATION in annotations)) return object;
  const { [CONVERSION_DATA_ANNOTATION]: _, ...rest } = annotations;
  const metadata: KubeObject['metadata'] = { ...object.metadata, annotations: rest };
  if (Object.keys(rest).length === 0) delete metadata.annotations;
  return { ...object, metadata };
}

/**
 * The converted object as the API server accepts it: the wanted apiVersion, the original kind and metadata, the labels
 * and annotations the converter set (when it set them), and the stash when the version loses something.
 */
function finish(
  converted: KubeObject,
  original: KubeObject,
  apiVersion: string,
  stash: string | undefined,
): KubeObject {
  const { apiVersion: _a, kind: _k, metadata: convertedMeta, ...data } = converted;
  const metadata = { ...original.metadata };
  for (const key of ['labels', 'annotations'] as const) {
    if (convertedMeta && key in convertedMeta) {
      if (convertedMeta[key] === undefined) delete metadata[key];
      else metadata[key] = { ...convertedMeta[key] };
    }
  }
  const annotations = { ...metadata.annotations };
  delete annotations[CONVERSION_DATA_ANNOTATION];
  if (stash !== undefined) annotations[CONVERSION_DATA_ANNOTATION] = stash;
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return structuredClone({ apiVersion, kind: original.kind, metadata, ...data });
}
