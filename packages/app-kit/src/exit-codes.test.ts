import { describe, expect, it } from 'vitest';
import { describeError, exitCodeFor } from './exit-codes.js';

describe('exitCodeFor (the one mapping from a command status to an exit code)', () => {
  it('maps each status', () => {
    expect([exitCodeFor('ok'), exitCodeFor('failed'), exitCodeFor('usage'), exitCodeFor('busy'), exitCodeFor('interrupted')]).toEqual([0, 1, 2, 75, 130]);
    expect(exitCodeFor({ external: 128 })).toBe(128);
    expect(exitCodeFor({ external: 0 })).toBe(1);
  });
});

describe('describeError', () => {
  it('maps expected errors by name and code, usage-like codes to 2', () => {
    const usage = Object.assign(new Error('--since-minutes must be at least 1'), { name: 'ReportError', code: 'usage' });
    expect(describeError(usage)).toMatchObject({ exitCode: 2, code: 'usage', message: '--since-minutes must be at least 1' });
    const refused = Object.assign(new Error('no'), { name: 'AgentprError', code: 'refused', details: { run_id: 'r' } });
    expect(describeError(refused)).toEqual({ exitCode: 1, code: 'refused', message: 'no', details: { run_id: 'r' } });
  });

  it('never shows a stack: an unexpected error is one line that points at --debug', () => {
    const d = describeError(new TypeError('boom\n    at somewhere'));
    expect(d).toMatchObject({ exitCode: 1, code: 'unexpected' });
    expect(d.message).toBe('unexpected error: boom (run with --debug for details)');
  });
});
