// TSDoc comment text as a CRD description (what kubectl explain shows): inline {@link} tags become their text.
import ts from 'typescript';

/**
 * `{@link Target}` → `Target`, `{@link https://url | label}` → `label (https://url)`. Takes the text as
 * ts-json-schema-generator renders comments: parts joined by a space each, so `A {@link B}.` arrives as
 * `A  {@link  B } .`; the optional space on each side of the pattern is the one joining added.
 */
export function plainDescription(text: string): string {
  return text.replace(
    / ?\{@link(?:code|plain)? +([^\s}]+)(?: +([^}]*?))? *\} ?/g,
    (_, target: string, label?: string) => (label ? `${label} (${target})` : target),
  );
}

/** The description of a declaration (the handler class: the CRD's), rendered as the library renders its fields'. */
export function symbolDescription(symbol: ts.Symbol, checker: ts.TypeChecker): string | undefined {
  const text = symbol
    .getDocumentationComment(checker)
    .map((part) => part.text)
    .join(' ')
    .replace(/\r/g, '')
    .trim()
    // One line per paragraph, as ts-json-schema-generator folds them.
    .replace(/(?<=[^\n])\n(?=[^\n*-])/g, ' ');
  return plainDescription(text).trim() || undefined;
}
