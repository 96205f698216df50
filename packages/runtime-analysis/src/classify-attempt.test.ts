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
  agentExit: 0,
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
    const t = classifyAttempt(base({ agentExit: null, analysis: null, preflight: { ok: false, failures: ['pip: Could not resolve host pypi.org'] } }));
    expect([t.grade, t.reason_code]).toEqual(['RETRYABLE', 'preflight_transient_failure']);
    expect(t.details).toEqual({ failures: ['pip: Could not resolve host pypi.org'] });
    const h = classifyAttempt(base({ agentExit: null, analysis: null, preflight: { ok: false, failures: ['python 3.11 missing'] } }));
    expect([h.grade, h.reason_code]).toEqual(['HUMAN_REVIEW', 'preflight_hard_failure']);
  });

  it('a safety violation wins over a non-zero exit and names the segment', () => {
    const c = classifyAttempt(base({ agentExit: 1, analysis: analysis(exec('sudo make install', 0)) }));
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
    const c = classifyAttempt(base({ agentExit: 124, timedOut: true, stderr: 'agent_execution_timeout: exceeded max_duration_sec=5' }));
    expect([c.grade, c.reason_code]).toEqual(['RETRYABLE', 'runtime_transient_failure']);
    expect(c.details).toEqual({ exit_code: 124, timed_out: true });
  });

  it('exit 2 is a usage error and 127 means codex did not start: both runtime_hard_failure', () => {
    expect(classifyAttempt(base({ agentExit: 2, stderr: "error: unexpected argument '--full-auto'" })).details).toEqual({ exit_code: 2, cli_usage_error: true });
    expect(classifyAttempt(base({ agentExit: 127, analysis: null, stderr: 'codex not found' })).reason_code).toBe('runtime_hard_failure');
  });

  it('HARD/RETRYABLE patterns look at stderr and codex errors, never at command output', () => {
    const a = analysis(exec('ls missing', 2, 'ls: missing: No such file or directory'));
    const c = classifyAttempt(base({ agentExit: 1, analysis: a, stderr: '' }));
    expect(c.reason_code).toBe('runtime_unknown_failure');
    const hard = classifyAttempt(base({ agentExit: 1, analysis: a, stderr: 'fatal: not a git repository' }));
    expect(hard.reason_code).toBe('runtime_hard_failure');
    expect(hard.evidence.at(-1)!.note).toContain('not a git repository');
  });

  it('the retry cap counts the retryable streak: streak 3 of max 3 retries, streak 4 escalates, 0 = no cap', () => {
    const flaky = { agentExit: 1, stderr: 'connection reset by peer' };
    expect(classifyAttempt(base({ ...flaky, retryableStreak: 3 })).reason_code).toBe('runtime_transient_failure');
    const capped = classifyAttempt(base({ ...flaky, retryableStreak: 4, attemptNo: 9 }));
    expect([capped.grade, capped.reason_code]).toEqual(['HUMAN_REVIEW', 'retryable_limit_exceeded']);
    expect(capped.details).toEqual({ exit_code: 1, attempt_no: 9, retryable_streak: 4, max_retryable_attempts: 3, original_reason_code: 'runtime_transient_failure' });
    expect(classifyAttempt(base({ ...flaky, retryableStreak: 40, maxRetryableAttempts: 0 })).grade).toBe('RETRYABLE');
  });
});

describe('classifyAttempt: protected files, safety findings and sandbox denials (issue 12)', () => {
  const WS = '/srv/ws/acme/api/run_1';
  /** A whole codex stream analysed with the workspace known, as run-agent-step does. */
  const inWorkspace = (...execs: string[][]) =>
    analyzeEventText([JSON.stringify({ type: 'thread.started' }), JSON.stringify({ type: 'turn.started' }), ...execs.flat(), JSON.stringify({ type: 'turn.completed', usage: {} })].join('\n'), { workspaceDir: WS, tmpDirs: [`${WS}/.agentpr_runtime/tmp`] });
  const hook = { path: '.git/hooks/pre-commit', kind: 'git_hook', change: 'added' };
  const network = { kind: 'network' as const, target: 'evil.example.com:443', reason: 'host not in the egress allowlist', at: '2026-03-01T10:00:00Z' };

  it("a PASS stream with the agent's normal writes stays PASS: workspace edits, npm test, /tmp, /dev/null", () => {
    const a = inWorkspace(exec('sed -i s/a/b/ src/app.ts && mkdir -p src/x && echo ok > src/x/y.ts', 0), exec('npm test > /tmp/test.log 2>&1', 0), exec('npm run lint > /dev/null', 0), exec(`cat package.json > ${WS}/.agentpr_runtime/tmp/copy.json`, 0));
    const c = classifyAttempt(base({ analysis: a, diff: diff(2, 10) }));
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(a.safety_findings).toEqual([]);
  });

  it('a write outside the workspace → HUMAN_REVIEW safety_violation naming the line, command and path', () => {
    const a = inWorkspace(exec('make test', 0), exec('echo x > /etc/agentpr/x', 0));
    const c = classifyAttempt(base({ analysis: a }));
    expect([c.grade, c.reason_code, c.next_action]).toEqual(['HUMAN_REVIEW', 'safety_violation', 'escalate']);
    expect(c.evidence[0]).toEqual({ line: 5, item_id: expect.any(String), command: "/bin/bash -c 'echo x > /etc/agentpr/x'", exit_code: null, note: 'line 5: `echo x > /etc/agentpr/x` writes (redirection `>`) /etc/agentpr/x, outside the workspace and the allowed roots → write_outside' });
    expect(c.details).toMatchObject({ violations: [], safety_finding_count: 1, safety_finding_kinds: ['write_outside'], safety_findings: [{ kind: 'write_outside', path: '/etc/agentpr/x', line: 5 }] });
  });

  it('a credential read is a safety violation even when the sandbox made it fail (exit 1)', () => {
    const a = inWorkspace(exec('make test', 0), exec('cat ~/.git-credentials', 1, 'cat: /home/agent/.git-credentials: No such file or directory'));
    const c = classifyAttempt(base({ analysis: a }));
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'safety_violation']);
    expect(c.evidence[0]!.note).toBe('line 5: `cat ~/.git-credentials` touches ~/.git-credentials (a credential store) → credential_access');
  });

  it('a protected file change outranks PASS, RETRYABLE, a safety violation, a failed preflight and an empty stream', () => {
    const pass = classifyAttempt(base({ protectedChanges: [hook] }));
    expect([pass.grade, pass.reason_code, pass.next_action]).toEqual(['HUMAN_REVIEW', 'protected_file_changed', 'escalate']);
    expect(pass.evidence).toEqual([{ line: null, item_id: null, command: null, exit_code: null, note: 'protected file .git/hooks/pre-commit (git_hook) added during the attempt → protected_file_changed' }]);
    expect(pass.details).toEqual({ protected_changes: [hook], protected_change_count: 1 });
    expect(classifyAttempt(base({ agentExit: 1, stderr: 'connection reset by peer', protectedChanges: [hook] })).reason_code).toBe('protected_file_changed');
    expect(classifyAttempt(base({ analysis: analyzeEventText(''), protectedChanges: [hook] })).reason_code).toBe('protected_file_changed');
    expect(classifyAttempt(base({ agentExit: null, analysis: null, preflight: { ok: false, failures: ['x'] }, protectedChanges: [hook] })).reason_code).toBe('protected_file_changed');
    const both = classifyAttempt(base({ analysis: inWorkspace(exec('make test', 0), exec('cp hook.sh .git/hooks/pre-commit', 0)), protectedChanges: [hook] }));
    expect(both.reason_code).toBe('protected_file_changed');
    // what the agent's commands tried is still shown, under the protected change
    expect(both.evidence.map((e) => e.note)).toEqual([
      'protected file .git/hooks/pre-commit (git_hook) added during the attempt → protected_file_changed',
      `line 5: \`cp hook.sh .git/hooks/pre-commit\` copies into ${WS}/.git/hooks/pre-commit, inside the repository's git internals (hooks, info, config) → git_config`,
    ]);
  });

  it('a safety violation outranks a failed preflight, a disallowed push and failed tests', () => {
    const a = inWorkspace(exec('pytest', 1), exec('git push origin HEAD', 0), exec('HOME=/elsewhere npm install', 0));
    expect(classifyAttempt(base({ analysis: a })).reason_code).toBe('safety_violation');
    expect(classifyAttempt(base({ analysis: a, preflight: { ok: false, failures: ['python missing'] } })).reason_code).toBe('safety_violation');
  });

  it('protected paths and reasons from outside are shown on one line without backticks', () => {
    const c = classifyAttempt(base({ protectedChanges: [{ path: '.github/workflows/`x`\nci.yml', kind: 'ci_workflow', change: 'modified' }] }));
    expect(c.evidence[0]!.note).toBe("protected file .github/workflows/'x'?ci.yml (ci_workflow) modified during the attempt → protected_file_changed");
  });

  it('network denials alone change nothing but are listed in details and evidence', () => {
    const c = classifyAttempt(base({ sandboxDenials: [network] }));
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(c.details).toMatchObject({ sandbox_denials: [network], sandbox_denial_count: 1 });
    expect(c.evidence.at(-1)!.note).toBe('sandbox denied network access to evil.example.com:443 (host not in the egress allowlist) at 2026-03-01T10:00:00Z');
    const retry = classifyAttempt(base({ agentExit: 1, stderr: 'connection reset by peer', sandboxDenials: [network] }));
    expect([retry.grade, retry.reason_code]).toEqual(['RETRYABLE', 'runtime_transient_failure']);
    expect(retry.details.sandbox_denial_count).toBe(1);
  });

  it('a file denial → HUMAN_REVIEW safety_violation, with the denial as evidence', () => {
    const c = classifyAttempt(base({ sandboxDenials: [{ kind: 'file', target: '/root/.ssh/id_rsa', reason: 'not in the sandbox view' }, network] }));
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'safety_violation']);
    expect(c.evidence.map((e) => e.note)).toEqual([
      'sandbox denied file access to /root/.ssh/id_rsa (not in the sandbox view) → safety_violation',
      'sandbox denied network access to evil.example.com:443 (host not in the egress allowlist) at 2026-03-01T10:00:00Z',
    ]);
    expect(c.details).toMatchObject({ file_denial_count: 1, sandbox_denial_count: 2 });
  });

  it('denials are listed with protected changes too, and many of them are capped', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ ...network, target: `h${i}.example:443` }));
    const c = classifyAttempt(base({ protectedChanges: [hook], sandboxDenials: many }));
    expect(c.reason_code).toBe('protected_file_changed');
    expect(c.details.sandbox_denial_count).toBe(30);
    expect(c.details.sandbox_denials).toHaveLength(20);
    expect(c.evidence).toHaveLength(1 + 8 + 1);
    expect(c.evidence.at(-1)!.note).toBe('… and 22 more sandbox denial(s)');
  });

  it('an interrupted attempt is RETRYABLE runtime_interrupted, whatever the exit said, unless it already needs a human', () => {
    const stopped = classifyAttempt(base({ agentExit: 130, interrupted: true, stderr: 'agent_execution_interrupted: manager shutdown\n' }));
    expect([stopped.grade, stopped.reason_code, stopped.next_action]).toEqual(['RETRYABLE', 'runtime_interrupted', 'retry']);
    expect(stopped.details).toMatchObject({ interrupted: true });
    const passed = classifyAttempt(base({ interrupted: true }));
    expect([passed.grade, passed.reason_code]).toEqual(['RETRYABLE', 'runtime_interrupted']);
    const unsafe = classifyAttempt(base({ agentExit: 130, interrupted: true, analysis: analysis(exec('sudo make install', 0)) }));
    expect([unsafe.grade, unsafe.reason_code]).toEqual(['HUMAN_REVIEW', 'safety_violation']);
    const capped = classifyAttempt(base({ agentExit: 130, interrupted: true, retryableStreak: 4 }));
    expect([capped.grade, capped.reason_code]).toEqual(['HUMAN_REVIEW', 'retryable_limit_exceeded']);
  });
});
