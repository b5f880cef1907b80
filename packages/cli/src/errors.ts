// The errors `kubeop` reports without a stack: bad input (exit 2) or a step that failed (exit 1), named.
import { KubeopError } from '@kubeop/core';

/** A refusal of the command line: `code` is `CLI_USAGE` for bad input (exit 2), `CLI_FAILED` for a failed step. */
export class CliError extends KubeopError {
  override readonly name = 'CliError';
  readonly code: 'CLI_USAGE' | 'CLI_FAILED';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.code = exitCode === 2 ? 'CLI_USAGE' : 'CLI_FAILED';
  }
}
