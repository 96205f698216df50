import { describe, expect, it } from 'vitest';
import type { FlagSpec } from './flag-spec.js';
import { readFlagValues } from './read-flag-values.js';

const SPECS: Record<string, FlagSpec> = {
  file: { type: 'string', description: 'a file' },
  'chat-id': { type: 'string', multiple: true, description: 'a chat' },
  isolation: { type: 'string', choices: ['bwrap', 'none'], description: 'isolation' },
  json: { type: 'boolean', description: 'JSON' },
};
const usage = { command: 'run-x', program: 'agentpr-x' };

describe('readFlagValues', () => {
  it('reads strings, repeatable flags and booleans', () => {
    expect(readFlagValues(['--file', 'f', '--chat-id=1', '--chat-id', '2', '--json'], SPECS, usage)).toEqual({ file: 'f', 'chat-id': ['1', '2'], json: true });
  });

  it('takes a bare argument as the positional flag, once', () => {
    expect(readFlagValues(['f.jsonl'], SPECS, { ...usage, positional: 'file' })).toEqual({ file: 'f.jsonl' });
    expect(() => readFlagValues(['a', 'b'], SPECS, { ...usage, positional: 'file' })).toThrow('run-x: unexpected argument "b". Run `agentpr-x --help` for usage.');
  });

  it('names an unknown flag, a stray argument, a dashed value and a value outside the choices, pointing at --help', () => {
    const cases: Array<[string[], string]> = [
      [['--nope'], "run-x: Unknown option '--nope'. Run `agentpr-x --help` for usage."],
      [['extra'], 'run-x: unexpected argument "extra". Run `agentpr-x --help` for usage.'],
      [['--chat-id', '-100'], 'run-x: --chat-id needs a value; write a value that starts with "-" as --chat-id=-VALUE. Run `agentpr-x --help` for usage.'],
      [['--isolation', 'docker'], 'run-x: --isolation must be one of bwrap, none, got "docker". Run `agentpr-x --help` for usage.'],
    ];
    for (const [argv, message] of cases) expect(() => readFlagValues(argv, SPECS, usage), argv.join(' ')).toThrow(expect.objectContaining({ code: 'usage', message }));
  });
});
