// A kubeconfig exec plugin for tests: a node one-liner that prints the ExecCredential the test wrote, and counts its runs.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ExecPlugin {
  /** The kubeconfig user's `exec` entry. */
  exec: { apiVersion: string; command: string; args: string[]; env: Array<{ name: string; value: string }> };
  /** What the next run prints as its credential's status. */
  write(status: Record<string, unknown>): Promise<void>;
  /** How many times it ran. */
  runs(): number;
}

/** Files `<name>.json` and `<name>.runs` in `dir`. */
export async function execPlugin(dir: string, name: string, status: Record<string, unknown>): Promise<ExecPlugin> {
  const file = join(dir, `${name}.json`);
  const runs = join(dir, `${name}.runs`);
  const write = (next: Record<string, unknown>) =>
    writeFile(
      file,
      JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: next }),
    );
  await write(status);
  await writeFile(runs, '');
  const script =
    "const fs = require('fs'); fs.appendFileSync(process.env.RUNS, 'x'); process.stdout.write(fs.readFileSync(process.env.CREDENTIAL, 'utf8'));";
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: ['-e', script],
      env: [
        { name: 'RUNS', value: runs },
        { name: 'CREDENTIAL', value: file },
      ],
    },
    write,
    runs: () => readFileSync(runs, 'utf8').length,
  };
}
