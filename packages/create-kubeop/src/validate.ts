// Checks each answer the way the API server and npm would, with an error that says what a good value looks like.
import { isApiVersion, isDnsSubdomain, isKind, isResourceName } from '@kubeop/decorators/names';

/** An answer that cannot be used; the message names the field, the value and the rule. */
export class InvalidAnswerError extends Error {
  override name = 'InvalidAnswerError';
}

const NPM_NAME = /^(@[a-z0-9][-a-z0-9._~]*\/)?[a-z0-9][-a-z0-9._~]*$/;

/** null when valid, else why not. */
export type Check = (value: string) => string | null;

export const checkGroup: Check = (group) => {
  if (!isDnsSubdomain(group) || !group.includes('.')) {
    return `group "${group}" must be a DNS subdomain with at least one dot, in lower case, such as example.com or widgets.acme.io`;
  }
  return null;
};

export const checkVersion: Check = (version) =>
  isApiVersion(version)
    ? null
    : `version "${version}" must look like v1, v1alpha1 or v2beta3 (Kubernetes API version rules)`;

export const checkKind: Check = (kind) =>
  isKind(kind)
    ? null
    : `kind "${kind}" must be CamelCase, starting with a capital letter, letters and digits only, such as Widget or StaticSite`;

export const checkPlural: Check = (plural) =>
  isResourceName(plural)
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
