import { describe, expect, it } from 'vitest';
import { classifyAttempt, type ClassifyInput } from './classify-attempt.js';
import { analyzeEventText } from './stream-analyzer.js';
import type { DiffSummary } from './types.js';

let n = 0;
function exec(command: string, exitCode: number, output = ''): string[] {
  const id = `item_${n++}`;
  const base = { id, type: 'command_execution', command: `/bin/bash -c '${command}'` };
  return [
    JSON.stringify({ type: 'item.started', item: { ...base, aggregated_output: '', exit_code: null, status: 'in_progress' } }),
    JSON.stringify({ type: 'item.completed', item: { ...base, aggregated_output: output, exit_code: exitCode, status: exitCode === 0 ? 'completed' : 'failed' } }),
  ];
}
const analysis = (...execs: string[][]) =>
  analyzeEventText([JSON.stringify({ type: 'thread.started' }), JSON.stringify({ type: 'turn.started' }), ...execs.flat(), JSON.stringify({ type: 'turn.completed', usage: {} })].join('\n'));

const base = (over: Partial<ClassifyInput>): ClassifyInput => ({
  stage: 'IMPLEMENTING',
  exitCode: 0,
  analysis: analysis(exec('make test', 0)),
  maxChangedFiles: 8,
  maxAddedLines: 150,
  maxRetryableAttempts: 3,
  minTestCommands: 1,
  ...over,
});

const diff = (files: number, added: number): DiffSummary => ({
  changed_files: Array.from({ length: files }, (_, i) => `f${i}.py`),
  changed_files_count: files,
  untracked_files: [],
  untracked_files_count: 0,
  ignored_files: [],
  ignored_files_count: 0,
  added_lines: added,
  deleted_lines: 0,
  baseline: 'abc123',
});

describe('classifyAttempt', () => {
  it('a passing make test with a small diff → PASS runtime_success naming the run', () => {
    const c = classifyAttempt(base({ diff: diff(2, 10) }));
    expect([c.grade, c.reason_code, c.next_action]).toEqual(['PASS', 'runtime_success', 'advance']);
    expect(c.evidence[0]).toMatchObject({ line: 4, exit_code: 0, note: 'line 4: `make test` exit 0 → test evidence' });
    expect(c.details).toMatchObject({ exit_code: 0, changed_files_count: 2, added_lines: 10 });
  });

  it('a failed preflight with a network failure → RETRYABLE preflight_transient_failure; other failures → preflight_hard_failure', () => {
    const t = classifyAttempt(base({ exitCode: null, analysis: null, preflight: { ok: false, failures: ['pip: Could not resolve host pypi.org'] } }));
    expect([t.grade, t.reason_code]).toEqual(['RETRYABLE', 'preflight_transient_failure']);
    expect(t.details).toEqual({ failures: ['pip: Could not resolve host pypi.org'] });
    const h = classifyAttempt(base({ exitCode: null, analysis: null, preflight: { ok: false, failures: ['python 3.11 missing'] } }));
    expect([h.grade, h.reason_code]).toEqual(['HUMAN_REVIEW', 'preflight_hard_failure']);
  });

  it('a safety violation wins over a non-zero exit and names the segment', () => {
    const c = classifyAttempt(base({ exitCode: 1, analysis: analysis(exec('sudo make install', 0)) }));
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'safety_violation']);
    expect(c.evidence[0]!.note).toBe('line 3: `sudo make install` runs `sudo make install` → sudo');
  });

  it('git push without allow_agent_push → agent_push_disallowed; with it, the run can pass', () => {
    const a = analysis(exec('make test', 0), exec('git push origin HEAD', 0));
    expect(classifyAttempt(base({ analysis: a })).reason_code).toBe('agent_push_disallowed');
    expect(classifyAttempt(base({ analysis: a, allowAgentPush: true })).reason_code).toBe('runtime_success');
  });

  it('with every failure waived by the allowlist → PASS runtime_success_allowlisted_test_failures', () => {
    const a = analyzeEventText([JSON.stringify({ type: 'turn.started' }), ...exec('make lint', 0), ...exec('pytest', 1, 'ENOENT gateway-debug.log'), JSON.stringify({ type: 'turn.completed', usage: {} })].join('\n'), { allowlist: ['gateway-debug'] });
    const c = classifyAttempt(base({ analysis: a }));
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success_allowlisted_test_failures']);
    expect(c.details.allowlisted_test_failure_matches).toEqual(['gateway-debug']);
  });

  it('rule 5: observed 0 of 1 → missing_test_evidence; 1 of 2 → insufficient_test_evidence; DISCOVERY needs none', () => {
    const none = analysis(exec('ls', 0));
    expect(classifyAttempt(base({ analysis: none })).reason_code).toBe('missing_test_evidence');
    expect(classifyAttempt(base({ analysis: none, minTestCommands: 2 })).reason_code).toBe('insufficient_test_evidence');
    const one = classifyAttempt(base({ minTestCommands: 2 }));
    expect(one.reason_code).toBe('insufficient_test_evidence');
    expect(one.details).toEqual({ expected_state: 'IMPLEMENTING', required_test_commands: 2, observed_test_commands: 1 });
    expect(classifyAttempt(base({ analysis: none, stage: 'DISCOVERY' })).reason_code).toBe('runtime_success');
  });

  it('rule 6: more changed files or added lines than the budget → diff_budget_exceeded; 0 means unlimited', () => {
    expect(classifyAttempt(base({ diff: diff(9, 10) })).reason_code).toBe('diff_budget_exceeded');
    expect(classifyAttempt(base({ diff: diff(2, 151) })).reason_code).toBe('diff_budget_exceeded');
    expect(classifyAttempt(base({ diff: diff(90, 9000), maxChangedFiles: 0, maxAddedLines: 0 })).reason_code).toBe('runtime_success');
  });

  it('an empty stream with exit 0 → empty_event_stream, not PASS', () => {
    const c = classifyAttempt(base({ analysis: analyzeEventText(''), stage: 'DISCOVERY' }));
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'empty_event_stream']);
  });

  it('a timeout → RETRYABLE runtime_transient_failure with timed_out, even though the marker has no word boundary', () => {
    const c = classifyAttempt(base({ exitCode: 124, timedOut: true, stderr: 'agent_execution_timeout: exceeded max_duration_sec=5' }));
    expect([c.grade, c.reason_code]).toEqual(['RETRYABLE', 'runtime_transient_failure']);
    expect(c.details).toEqual({ exit_code: 124, timed_out: true });
  });

  it('exit 2 is a usage error (W61) and 127 means codex did not start: both runtime_hard_failure', () => {
    expect(classifyAttempt(base({ exitCode: 2, stderr: "error: unexpected argument '--full-auto'" })).details).toEqual({ exit_code: 2, cli_usage_error: true });
    expect(classifyAttempt(base({ exitCode: 127, analysis: null, stderr: 'codex not found' })).reason_code).toBe('runtime_hard_failure');
  });

  it('HARD/RETRYABLE patterns look at stderr and codex errors, never at command output (W15)', () => {
    const a = analysis(exec('ls missing', 2, 'ls: missing: No such file or directory'));
    const c = classifyAttempt(base({ exitCode: 1, analysis: a, stderr: '' }));
    expect(c.reason_code).toBe('runtime_unknown_failure');
    const hard = classifyAttempt(base({ exitCode: 1, analysis: a, stderr: 'fatal: not a git repository' }));
    expect(hard.reason_code).toBe('runtime_hard_failure');
    expect(hard.evidence.at(-1)!.note).toContain('not a git repository');
  });

  it('the retry cap counts the retryable streak: streak 3 of max 3 retries, streak 4 escalates, 0 = no cap (W19)', () => {
    const flaky = { exitCode: 1, stderr: 'connection reset by peer' };
    expect(classifyAttempt(base({ ...flaky, retryableStreak: 3 })).reason_code).toBe('runtime_transient_failure');
    const capped = classifyAttempt(base({ ...flaky, retryableStreak: 4, attemptNo: 9 }));
    expect([capped.grade, capped.reason_code]).toEqual(['HUMAN_REVIEW', 'retryable_limit_exceeded']);
    expect(capped.details).toEqual({ exit_code: 1, attempt_no: 9, retryable_streak: 4, max_retryable_attempts: 3, original_reason_code: 'runtime_transient_failure' });
    expect(classifyAttempt(base({ ...flaky, retryableStreak: 40, maxRetryableAttempts: 0 })).grade).toBe('RETRYABLE');
  });
});
