// The command line of kubeop-local: its own options first, then the command to run.
import { TestingUsageError } from '../errors.js';

export interface LocalOptions {
  controllerManager: boolean;
  kubeconfig: string;
  command: string[];
}

/** The kit's own options come first; the first other word starts the command, whose flags are its own. */
export function parseLocalArgs(argv: string[]): LocalOptions | 'help' {
  const options: LocalOptions = { controllerManager: false, kubeconfig: '.kubeop/kubeconfig', command: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return 'help';
    else if (arg === '--controller-manager') options.controllerManager = true;
    else if (arg === '--kubeconfig') {
      const path = argv[++i];
      if (!path) throw new TestingUsageError('--kubeconfig needs a path');
      options.kubeconfig = path;
    } else if (arg === '--') {
      options.command = argv.slice(i + 1);
      break;
    } else if (arg.startsWith('-')) throw new TestingUsageError(`unknown option ${arg}`);
    else {
      options.command = argv.slice(i);
      break;
    }
  }
  if (options.command.length === 0)
    throw new TestingUsageError('no command to run, e.g. kubeop-local node dist/main.js --create-crd');
  return options;
}
