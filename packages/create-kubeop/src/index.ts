// create-kubeop as a library: the answers, their checks and the files of a new project.
export { type Answers, type Ask, DEFAULTS, resolveAnswers } from './answers.js';
export { type Flags, parseFlags, usage } from './args.js';
export { pluralOf } from './names.js';
export { projectFiles, scaffold } from './scaffold.js';
export { checkGroup, checkKind, checkPlural, checkProjectName, checkVersion, InvalidAnswerError } from './validate.js';
