// Names derived from the answers: the plural of a kind, file and class names.

/** English plural of a kind, in lower case, as `kubectl` users expect: Widget → widgets, Policy → policies. */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/** StaticSite → static-site, for file names. */
export function kebabOf(kind: string): string {
  return kind
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** StaticSite → staticSite, for variables. */
export function camelOf(kind: string): string {
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}
