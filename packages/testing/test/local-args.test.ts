// kubeop-local's command line: its own options first, then the command with flags of its own.
import { describe, expect, it } from '@jest/globals';
import { parseLocalArgs } from '../src/operator-kit/local-args.js';

describe('kubeop-local arguments', () => {
  it('leaves every word from the command on to the command, its flags included', () => {
    expect(parseLocalArgs(['--kubeconfig', 'k', 'node', 'dist/main.js', '--create-crd', '--kubeconfig', 'x'])).toEqual({
      controllerManager: false,
      kubeconfig: 'k',
      command: ['node', 'dist/main.js', '--create-crd', '--kubeconfig', 'x'],
    });
    expect(parseLocalArgs(['--controller-manager', '--', '-weird'])).toMatchObject({
      controllerManager: true,
      command: ['-weird'],
    });
    expect(parseLocalArgs(['node', '--help'])).toMatchObject({ command: ['node', '--help'] });
    expect(parseLocalArgs(['--help', 'node'])).toBe('help');
  });

  it('says what is wrong', () => {
    expect(() => parseLocalArgs([])).toThrow('no command to run, e.g. kubeop-local node dist/main.js --create-crd');
    expect(() => parseLocalArgs(['--kubeconfig'])).toThrow('--kubeconfig needs a path');
    expect(() => parseLocalArgs(['--verbose', 'node'])).toThrow('unknown option --verbose');
  });
});
