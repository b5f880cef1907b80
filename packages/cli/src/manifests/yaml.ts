// YAML as kubectl writes it: block style, keys in the order given, no line folding.
import { stringify } from 'yaml';

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
