// What every template reads: the answers and the names derived from them.
import type { Answers } from '../answers.js';
import { camelOf, kebabOf } from '../names.js';

export interface Context extends Omit<Answers, 'dir'> {
  /** src/<file>.handler.ts */
  file: string;
  /** WidgetHandler */
  handlerClass: string;
  /** widget */
  variable: string;
}

export function contextOf(answers: Answers): Context {
  const { dir: _dir, ...rest } = answers;
  return {
    ...rest,
    file: kebabOf(answers.kind),
    handlerClass: `${answers.kind}Handler`,
    variable: camelOf(answers.kind),
  };
}
