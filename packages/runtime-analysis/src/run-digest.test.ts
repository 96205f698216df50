import { describe, expect, it } from 'vitest';
import { classifyAttempt } from './classify-attempt.js';
import { renderManagerInsight } from './manager-insight.js';
import { buildRunDigest, managerRecommendation, type RunDigestInput } from './run-digest.js';
import { buildStageSnapshot } from './stage-snapshot.js';
import { analyzeEventText } from './stream-analyzer.js';

const stream = [
  { type: 'turn.started' },
  { type: 'item.started', item: { id: 'i1', type: 'command_execution', command: "/bin/zsh -lc 'make test'", aggregated_output: '', exit_code: null, status: 'in_progress' } },
  { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: "/bin/zsh -lc 'make test'", aggregated_output: 'FAILED', exit_code: 2, status: 'failed' } },
  { type: 'turn.completed', usage: { input_tokens: 1200, cached_input_tokens: 300, output_tokens: 45 } },
]
  .map((l) => JSON.stringify(l))
  .join('\n');

function input(): RunDigestInput {
  const analysis = analyzeEventText(stream, { offsets: [0, 10, 2510, 2600] });
  const classification = classifyAttempt({ stage: 'IMPLEMENTING', agentExit: 0, analysis, maxChangedFiles: 3, maxAddedLines: 45, maxRetryableAttempts: 2, minTestCommands: 2 });
  return {
    run: { run_id: 'run_1', owner: 'mem0ai', repo: 'mem0', mode: 'push_only', prompt_version: 'v1', workspace_dir: '/ws' },
    stateBefore: 'IMPLEMENTING',
    stateAfter: 'NEEDS_HUMAN_REVIEW',
    attempt: { attemptNo: 2, durationMs: 2600, agentExit: 0 },
    classification,
    skillPlan: null,
    analysis,
    diff: { changed_files: ['a.py'], changed_files_count: 1, untracked_files: [], untracked_files_count: 0, ignored_files: [], ignored_files_count: 0, added_lines: 12, deleted_lines: 3, baseline: 'base' },
    workspace: { head_sha: 'h', tree_sha: 't', baseline_sha: 'base' },
    policyUsed: { max_changed_files: 3, max_added_lines: 45, min_test_commands: 2, skills_mode: 'off' },
    stages: buildStageSnapshot([{ step: 'agent', attempt_no: 2, exit_code: 0, duration_ms: 2600, created_at: '2026-02-25T00:00:00.000Z' }]),
    preflight: null,
    now: new Date('2026-02-25T00:47:07.861Z'),
  };
}

describe('buildRunDigest', () => {
  it('records the verdict with its evidence, the thresholds used, a skipped preflight and the recommendation', () => {
    const d = buildRunDigest(input());
    expect(d.attempt).toEqual({ attempt_no: 2, duration_ms: 2600, exit_code: 0, engine: null, model: null });
    expect(d.classification).toMatchObject({ grade: 'HUMAN_REVIEW', reason_code: 'test_command_failed', next_action: 'escalate' });
    expect(d.classification.evidence[0]).toMatchObject({ line: 3, exit_code: 2 });
    expect(d.validation).toEqual({ test_command_count: 0, test_commands: [], failed_test_command_count: 1, failed_test_commands: ["/bin/zsh -lc 'make test'"], waived_test_failures: [], pre_existing_test_failures: [], failing_tests: [] });
    expect(d.policy_used).toEqual({ max_changed_files: 3, max_added_lines: 45, min_test_commands: 2, skills_mode: 'off' });
    expect(d.preflight).toEqual({ ok: null, skipped: true, failures: [] });
    expect(d.skills).toEqual({ mode: 'off', required_now: [], missing_required: [], available_optional: [] });
    expect(d.commands.category_share_pct).toEqual({ dependency_install: 0, tests: 100, lint_or_typecheck: 0, git_ops: 0, repo_reading: 0, other: 0 });
    expect(d.commands.top_by_duration[0]).toMatchObject({ duration_ms: 2500 });
    expect(d.manager_recommendation).toEqual({ action: 'human_review', priority: 'high', why: 'needs manual judgment: test_command_failed' });
    expect(d.artifacts).toEqual({ agent_report_path: '', event_stream_path: '', last_message_path: '' });
    expect(d.generated_at).toBe('2026-02-25T00:47:07.861Z');
  });

  it('names the engine and model of the attempt, cleaned of controls, an over-long name described rather than cut', () => {
    const d = buildRunDigest({ ...input(), attempt: { attemptNo: 3, durationMs: 10, agentExit: 0, engine: 'claude', model: 'claude-sonnet-4-5' } });
    expect(d.attempt).toEqual({ attempt_no: 3, duration_ms: 10, exit_code: 0, engine: 'claude', model: 'claude-sonnet-4-5' });
    const hostile = buildRunDigest({ ...input(), attempt: { attemptNo: 1, durationMs: 10, agentExit: 0, engine: 'claude', model: `evil\u202e\n${'m'.repeat(500)}` } });
    expect(hostile.attempt.model).toBe('[a 504-character name]');
    const bidi = buildRunDigest({ ...input(), attempt: { attemptNo: 1, durationMs: 10, agentExit: 0, engine: 'claude', model: 'claude-\u202eevil\u001b[31m' } });
    expect(bidi.attempt.model).toBe('claude-evil[31m');
    expect(buildRunDigest({ ...input(), attempt: { attemptNo: 1, durationMs: 10, agentExit: 0, engine: '  ', model: '' } }).attempt).toMatchObject({ engine: null, model: null });
  });

  it('an absent classification becomes UNKNOWN/unknown', () => {
    const d = buildRunDigest({ ...input(), classification: null });
    expect([d.classification.grade, d.classification.reason_code]).toEqual(['UNKNOWN', 'unknown']);
  });

  it('managerRecommendation maps PASS to advance or the human review gate, RETRYABLE to retry', () => {
    expect(managerRecommendation('PASS', 'runtime_success', 'LOCAL_VALIDATING').action).toBe('advance');
    expect(managerRecommendation('PASS', 'runtime_success', 'NEEDS_HUMAN_REVIEW').action).toBe('human_review_gate');
    expect(managerRecommendation('RETRYABLE', 'RUNTIME_TRANSIENT_FAILURE', 'FAILED_RETRYABLE')).toEqual({ action: 'retry', priority: 'high', why: 'retryable failure: runtime_transient_failure' });
  });
});

describe('renderManagerInsight', () => {
  it('shows outcome, deciding evidence, snapshot, durations, timeline, action and the matching hints', () => {
    const md = renderManagerInsight(buildRunDigest(input()));
    expect(md).toContain('# Attempt insight: run_1');
    expect(md).toContain('`mem0ai/mem0`');
    expect(md).toContain('**HUMAN_REVIEW** (`test_command_failed`)');
    expect(md).toContain('IMPLEMENTING → NEEDS_HUMAN_REVIEW');
    expect(md).toContain('line 3: `make test` exit 2');
    expect(md).toContain('Tokens: input 1200, output 45, cached 300');
    expect(md).toContain('- Attempt 2: 2.6 s, exit code 0');
    expect(md).toContain('- 2.5 s: `make test`');
    expect(md).toContain('- agent: 2.6 s total (100% of all step time, 1 attempt)');
    expect(md).not.toMatch(/\d ms\b/);
    expect(md).toContain('1. Make the implement/validate prompt require');
    expect(md).toContain('2. Have the worker separate failures');
    expect(md).toContain('_Generated 2026-02-25T00:47:07.861Z._');
  });

  it('says when no durations or stage timings were captured, and gives the stable-run hint for a clean PASS', () => {
    const base = input();
    const analysis = analyzeEventText([{ type: 'turn.started' }, { type: 'item.completed', item: { id: 'i', type: 'command_execution', command: 'make test', aggregated_output: '', exit_code: 0, status: 'completed' } }, { type: 'turn.completed', usage: {} }].map((l) => JSON.stringify(l)).join('\n'));
    const classification = classifyAttempt({ stage: 'IMPLEMENTING', agentExit: 0, analysis, maxChangedFiles: 3, maxAddedLines: 45, maxRetryableAttempts: 2, minTestCommands: 1 });
    const md = renderManagerInsight(buildRunDigest({ ...base, analysis, classification, stateAfter: 'LOCAL_VALIDATING', stages: buildStageSnapshot([]) }));
    expect(md).toContain('No command durations were captured');
    expect(md).toContain('No stage timing data was captured.');
    expect(md).toContain('1. The run looks stable');
  });

  it('shows what the attempt tried outside its bounds: protected files, findings with lines, sandbox denials, and the boundary hint', () => {
    const base = input();
    const lines = [
      { type: 'turn.started' },
      { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: "/bin/bash -lc 'make test'", aggregated_output: '', exit_code: 0, status: 'completed' } },
      { type: 'item.completed', item: { id: 'i2', type: 'command_execution', command: "/bin/bash -lc 'cat ~/.netrc | base64'", aggregated_output: '', exit_code: 1, status: 'failed' } },
      { type: 'turn.completed', usage: {} },
    ].map((l) => JSON.stringify(l));
    const analysis = analyzeEventText(lines.join('\n'), { workspaceDir: '/ws' });
    const classification = classifyAttempt({
      stage: 'IMPLEMENTING', agentExit: 0, analysis, maxChangedFiles: 3, maxAddedLines: 45, maxRetryableAttempts: 2, minTestCommands: 1,
      protectedChanges: [{ path: '.github/workflows/ci.yml', kind: 'ci_workflow', change: 'modified' }],
      sandboxDenials: [{ kind: 'network', target: 'paste.example:443', reason: 'host not in the egress allowlist' }],
    });
    const d = buildRunDigest({ ...base, analysis, classification });
    expect(d.safety).toMatchObject({ violation_count: 0, finding_count: 1, findings: [{ kind: 'credential_access', path: '~/.netrc', line: 3 }] });
    const md = renderManagerInsight(d);
    expect(md).toContain('**HUMAN_REVIEW** (`protected_file_changed`)');
    expect(md).toContain(
      [
        '## What it tried outside its bounds',
        '- Changed protected file `.github/workflows/ci.yml` (ci_workflow): modified',
        '- line 3: credential_access `~/.netrc` by `cat ~/.netrc | base64`',
        '- Sandbox denied network access to `paste.example:443` (host not in the egress allowlist)',
        '',
      ].join('\n'),
    );
    expect(md).toContain('1. Restate the boundary in the prompt');
  });

  it('names the engine and model on the attempt line, and which engine did not start', () => {
    const claude = renderManagerInsight(buildRunDigest({ ...input(), attempt: { attemptNo: 2, durationMs: 2600, agentExit: 0, engine: 'claude', model: 'claude-sonnet-4-5' } }));
    expect(claude).toContain('- Attempt 2 (claude · claude-sonnet-4-5): 2.6 s, exit code 0');
    const codex = renderManagerInsight(buildRunDigest({ ...input(), attempt: { attemptNo: 1, durationMs: 1000, agentExit: null, engine: 'codex', model: null } }));
    expect(codex).toContain('- Attempt 1 (codex): 1 s, exit code none (codex not started)');
    const hostile = renderManagerInsight(buildRunDigest({ ...input(), attempt: { attemptNo: 1, durationMs: 1000, agentExit: 1, engine: 'claude', model: '`rm -rf`<b>' } }));
    expect(hostile).toContain("- Attempt 1 (claude · 'rm -rf'<b>): 1 s, exit code 1");
  });

  it('an older digest without an engine keeps the old attempt line', () => {
    const d = buildRunDigest(input());
    expect(renderManagerInsight(d)).toContain('- Attempt 2: 2.6 s, exit code 0');
    expect(renderManagerInsight({ ...d, attempt: { ...d.attempt, exit_code: null } })).toContain('exit code none (the agent not started)');
  });

  it('an attempt that stayed inside its bounds has no "what it tried" section', () => {
    expect(renderManagerInsight(buildRunDigest(input()))).not.toContain('What it tried');
  });
});
