import { describe, expect, it } from 'vitest';
import { parseCommand, tokenize } from './parse-command.js';

describe('tokenize', () => {
  it('tokenize splits on whitespace and honours single and double quotes', () => {
    expect(tokenize(`/retry  run_1 "two words" 'it''s' a\\ b`)).toEqual({ ok: true, tokens: ['/retry', 'run_1', 'two words', 'its', 'a b'] });
  });

  it('tokenize keeps backslashes literal inside single quotes and unescapes \\" inside double quotes', () => {
    expect(tokenize(`'a\\b' "say \\"hi\\" \\n"`)).toEqual({ ok: true, tokens: ['a\\b', 'say "hi" \\n'] });
  });

  it('tokenize with an unbalanced quote fails with a reason', () => {
    expect(tokenize('/show "run_1')).toEqual({ ok: false, error: 'no closing double quote' });
    expect(tokenize("/show 'run_1")).toEqual({ ok: false, error: 'no closing single quote' });
  });

  it('tokenize with a trailing backslash fails', () => {
    expect(tokenize('/show run_1\\').ok).toBe(false);
  });

  it('tokenize keeps empty quoted words and unicode', () => {
    expect(tokenize(`/x "" ünïcødé 🚀`)).toEqual({ ok: true, tokens: ['/x', '', 'ünïcødé', '🚀'] });
  });
});

describe('parseCommand', () => {
  it('parseCommand lower-cases the command and strips the @botname suffix', () => {
    expect(parseCommand('  /Show@AgentPR_Bot run_1  ', { botUsername: 'agentpr_bot' })).toEqual({ kind: 'command', name: 'show', args: ['run_1'] });
  });

  it('parseCommand returns null for text that is not a command', () => {
    expect(parseCommand('hello /list')).toBeNull();
    expect(parseCommand('/')).toBeNull();
    expect(parseCommand('/ list')).toBeNull();
  });

  it('parseCommand marks a command addressed to another bot', () => {
    expect(parseCommand('/list@other_bot', { botUsername: 'agentpr_bot' })).toEqual({ kind: 'other_bot', name: 'list' });
  });

  it('parseCommand accepts any @suffix when the bot username is unknown', () => {
    expect(parseCommand('/list@whatever 5')).toEqual({ kind: 'command', name: 'list', args: ['5'] });
  });

  it('parseCommand with an unbalanced quote returns invalid with the command name', () => {
    expect(parseCommand('/approve_pr run_1 "ABC')).toEqual({ kind: 'invalid', name: 'approve_pr', error: 'no closing double quote' });
  });
});
