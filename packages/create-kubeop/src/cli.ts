#!/usr/bin/env node
// create-kubeop: `npm create kubeop@latest my-operator` writes a new operator project.
import { createInterface } from 'node:readline';
import { relative } from 'node:path';
import { type Ask, resolveAnswers } from './answers.js';
import { parseFlags, usage } from './args.js';
import { scaffold } from './scaffold.js';
import { InvalidAnswerError } from './validate.js';

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  // The iterator buffers lines, so piped answers that arrive at once are not lost between questions.
  const input = lines[Symbol.asyncIterator]();
  const ask: Ask = async (question) => {
    process.stdout.write(question);
    const next = await input.next();
    return next.done ? undefined : next.value;
  };
  let answers;
  try {
    answers = await resolveAnswers(flags, ask);
  } finally {
    lines.close();
  }
  const files = await scaffold(answers);
  const where = relative(process.cwd(), answers.dir) || '.';
  process.stdout.write(
    `\nWrote a kubeop operator for ${answers.kind} (${answers.plural}.${answers.group}/${answers.version}) in ${where}:\n` +
      files.map((f) => `  ${f}\n`).join('') +
      `\nNext:\n  cd ${where}\n  npm install\n  npm test        # on a real etcd + kube-apiserver (built with Go on first use)\n  npm run local   # run it on a local control plane\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof InvalidAnswerError;
    process.stderr.write(`create-kubeop: ${known ? error.message : ((error as Error).stack ?? String(error))}\n`);
    process.exit(known ? 2 : 1);
  },
);
