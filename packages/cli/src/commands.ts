// Every subcommand of `kubeop`, in the order --help lists them.
import type { CommandModule } from 'yargs';
import { crdCommand } from './crd/command.js';
import { manifestsCommand } from './manifests/command.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: Array<CommandModule<any, any>> = [crdCommand, manifestsCommand];
