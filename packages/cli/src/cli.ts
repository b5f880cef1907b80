#!/usr/bin/env node
// `kubeop`: build-time tools of an operator project. Exits 2 on bad input, 1 on a failure, naming the cause.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS } from './commands.js';
import { CliError } from './errors.js';

try {
  await yargs(hideBin(process.argv))
    .scriptName('kubeop')
    .usage('$0 <command> [options]')
    .command(COMMANDS)
    .demandCommand(1, 'Name a command: see kubeop --help')
    .strict()
    .help()
    .wrap(100)
    .fail((message, error) => {
      throw error ?? new CliError(message, 2);
    })
    .parseAsync();
} catch (error) {
  process.stderr.write(`kubeop: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}
