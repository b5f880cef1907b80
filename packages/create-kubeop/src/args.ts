// The command line of create-kubeop: a target folder and the resource's names as flags.
import { parseArgs } from 'node:util';
import { InvalidAnswerError } from './validate.js';

export const usage = `Usage: npm create kubeop@latest [folder] -- [options]
       create-kubeop [folder] [options]

Writes a new kubeop operator project into <folder> (which must be empty or missing): a handler class for one
custom resource, main.ts, an integration test on a real control plane, a Dockerfile. Asks for what the flags do
not give, unless --yes.

Options:
  --group <group>      API group of the custom resource, a DNS subdomain with a dot (default: example.com)
  --version <version>  API version, such as v1alpha1 (default: v1alpha1)
  --kind <Kind>        Kind, CamelCase (default: Widget)
  --plural <plural>    Plural, lower case (default: derived from the kind, e.g. widgets)
  -y, --yes            Take the defaults for everything not given
  -h, --help           Show this help
`;

export interface Flags {
  folder?: string;
  group?: string;
  version?: string;
  kind?: string;
  plural?: string;
  yes: boolean;
  help: boolean;
}

export function parseFlags(argv: string[]): Flags {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        group: { type: 'string' },
        version: { type: 'string' },
        kind: { type: 'string' },
        plural: { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // parseArgs says e.g. "Option '--version <value>' argument missing"; --version here is the API version.
    const hint = /--version/.test((error as Error).message)
      ? ': --version takes the API version, such as v1alpha1'
      : '';
    throw new InvalidAnswerError(`${(error as Error).message}${hint} (--help for usage)`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new InvalidAnswerError(`one folder only, got: ${positionals.join(' ')}`);
  return { folder: positionals[0], ...values };
}
