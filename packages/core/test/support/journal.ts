// Reads the journal the journal-operator fixture writes: `start|done <name> <replica> <ms>` per line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const JOURNAL_OPERATOR = fileURLToPath(new URL('../fixtures/journal-operator.js', import.meta.url));

export interface JournalLine {
  kind: 'start' | 'done';
  name: string;
  replica: string;
  at: number;
}

export function readJournal(path: string): Array<[string, string]> {
  return journalLines(path).map((l) => [l.kind, l.name]);
}

export function journalLines(path: string): JournalLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, name, replica, at] = line.split(' ');
      return { kind: kind as JournalLine['kind'], name: name!, replica: replica!, at: Number(at) };
    });
}
