// Checks each answer the way the API server and npm would, with an error that says what a good value looks like.

/** An answer that cannot be used; the message names the field, the value and the rule. */
export class InvalidAnswerError extends Error {
  override name = 'InvalidAnswerError';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LOWER_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const NPM_NAME = /^(@[a-z0-9][-a-z0-9._~]*\/)?[a-z0-9][-a-z0-9._~]*$/;

/** null when valid, else why not. */
export type Check = (value: string) => string | null;

export const checkGroup: Check = (group) => {
  const labels = group.split('.');
  if (group.length > 253 || labels.length < 2 || !labels.every((l) => l.length <= 63 && DNS_LABEL.test(l))) {
    return `group "${group}" must be a DNS subdomain with at least one dot, in lower case, such as example.com or widgets.acme.io`;
  }
  return null;
};

export const checkVersion: Check = (version) =>
  VERSION.test(version)
    ? null
    : `version "${version}" must look like v1, v1alpha1 or v2beta3 (Kubernetes API version rules)`;

export const checkKind: Check = (kind) =>
  KIND.test(kind) && kind.length <= 63
    ? null
    : `kind "${kind}" must be CamelCase, starting with a capital letter, letters and digits only, such as Widget or StaticSite`;

export const checkPlural: Check = (plural) =>
  LOWER_LABEL.test(plural) && plural.length <= 63
    ? null
    : `plural "${plural}" must be lower case letters, digits and dashes, starting with a letter, such as widgets`;

export const checkProjectName: Check = (name) =>
  NPM_NAME.test(name) && name.length <= 214
    ? null
    : `project name "${name}" must be a valid npm package name: lower case, no spaces, such as my-operator`;

/** Throws InvalidAnswerError when `check` fails. */
export function assertValid(check: Check, value: string): void {
  const problem = check(value);
  if (problem) throw new InvalidAnswerError(problem);
}
