import { describe, expect, it } from 'vitest';
import { evidenceExit } from './evidence-exit.js';

describe('evidenceExit', () => {
  it('reads the exit_code of the first evidence item naming the command with a number', () => {
    const evidence = [
      null,
      'text',
      { command: 'npm test', exit_code: null, note: 'started' },
      { command: 'npm test', exit_code: 0, note: 'passed' },
      { command: 'npm test', exit_code: 1, note: 'later' },
    ];
    expect(evidenceExit(evidence, 'npm test')).toBe(0);
    expect(evidenceExit(evidence, 'pytest')).toBeNull();
  });

  it('falls back to another numeric field naming an exit (a digest from another version)', () => {
    expect(evidenceExit([{ command: 'npm test', command_exit: 2 }], 'npm test')).toBe(2);
  });
});
