// The errors `kubeop` reports without a stack: bad input (exit 2) or a step that failed (exit 1), named.

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
