import { describe, expect, it } from 'vitest';
import { checkDigestPayload, evaluateDodGate, type DodGateInput } from './dod-gate.js';

const digest = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  classification: { grade: 'PASS', reason_code: 'runtime_success' },
  validation: { test_command_count: 2, failed_test_command_count: 0 },
  changes: { changed_files_count: 3, added_lines: 40 },
  skills: { mode: 'agentpr', missing_required: [] },
  preflight: { ok: true, skipped: false, failures: [] },
  safety: { violation_count: 0 },
  policy_used: { max_changed_files: 3, max_added_lines: 45, min_test_commands: 2, skills_mode: 'agentpr' },
  workspace: { tree_sha: 'tree1' },
  ...over,
});
const policy = { max_changed_files: 8, max_added_lines: 150, min_test_commands: 1, skills_mode: 'agentpr' };
const gate = (over: Partial<DodGateInput> = {}) => evaluateDodGate({ digest: digest(), hasContract: true, effectivePolicy: policy, pushedTreeSha: 'tree1', ...over });
const codes = (over: Partial<DodGateInput> = {}) => gate(over).failed_checks.map((c) => c.code);

describe('evaluateDodGate', () => {
  it('a fresh PASS digest within the thresholds it ran with → ok with a snapshot', () => {
    expect(gate()).toEqual({ ok: true, failed_checks: [], snapshot: { grade: 'PASS', reason_code: 'runtime_success', test_command_count: 2, failed_test_command_count: 0, changed_files_count: 3, added_lines: 40, skills_mode: 'agentpr' } });
  });

  it('accepts runtime_success_allowlisted_test_failures and counts only unwaived failures', () => {
    expect(gate({ digest: digest({ classification: { grade: 'PASS', reason_code: 'runtime_success_allowlisted_test_failures' } }) }).ok).toBe(true);
    expect(codes({ digest: digest({ validation: { test_command_count: 2, failed_test_command_count: 1 } }) })).toEqual(['failed_test_commands_present']);
  });

  it('accepts runtime_success_pre_existing_test_failures: tests that failed before the agent do not block the PR', () => {
    expect(gate({ digest: digest({ classification: { grade: 'PASS', reason_code: 'runtime_success_pre_existing_test_failures' } }) }).ok).toBe(true);
  });

  it('judges budgets by digest.policy_used, not the repo policy', () => {
    expect(codes({ digest: digest({ changes: { changed_files_count: 4, added_lines: 46 } }) })).toEqual(['changed_files_budget_exceeded', 'added_lines_budget_exceeded']);
    const old = digest({ policy_used: undefined, changes: { changed_files_count: 4, added_lines: 46 } });
    expect(codes({ digest: old })).toEqual([]);
  });

  it('fails a skipped preflight and a digest that does not describe the pushed tree', () => {
    expect(codes({ digest: digest({ preflight: { ok: null, skipped: true, failures: [] } }) })).toEqual(['preflight_not_ok']);
    expect(gate({ pushedTreeSha: 'tree2' }).failed_checks).toEqual([{ code: 'digest_stale', message: 'digest tree_sha=tree1, pushed tree=tree2; run run-agent-step again on the pushed head' }]);
    expect(codes({ pushedTreeSha: null })).toEqual(['digest_stale']);
    expect(codes({ pushedTreeSha: undefined })).toEqual([]);
  });

  it('lists every failed check in order', () => {
    const bad = digest({
      classification: { grade: 'HUMAN_REVIEW', reason_code: 'test_command_failed' },
      safety: { violation_count: 2 },
      validation: { test_command_count: 0, failed_test_command_count: 3 },
      skills: { mode: 'off', missing_required: [] },
    });
    expect(codes({ digest: bad, hasContract: false })).toEqual([
      'missing_contract',
      'runtime_not_pass',
      'runtime_not_runtime_success',
      'safety_violation_present',
      'insufficient_test_evidence',
      'failed_test_commands_present',
      'skills_mode_mismatch',
    ]);
    expect(codes({ digest: digest({ skills: { mode: 'agentpr', missing_required: ['a', 'b', 'c', 'd', 'e', 'f'] } }) })).toEqual(['missing_required_skills']);
    expect(gate({ digest: digest({ skills: { mode: 'agentpr', missing_required: ['a', 'b', 'c', 'd', 'e', 'f'] } }) }).failed_checks[0]!.message).toBe('a, b, c, d, e');
  });

  it('safety findings in the digest fail the gate like violations (issue 12)', () => {
    expect(gate({ digest: digest({ safety: { violation_count: 0, finding_count: 2 } }) }).failed_checks).toEqual([{ code: 'safety_violation_present', message: 'violation_count=0, finding_count=2' }]);
  });

  it('without a digest: the load error first, then missing_digest, and no snapshot', () => {
    const r = evaluateDodGate({ digest: null, digestLoadError: 'run_digest_file_not_found', hasContract: true, effectivePolicy: policy });
    expect(r).toEqual({ ok: false, failed_checks: [{ code: 'digest_load_error', message: 'run_digest_file_not_found' }, { code: 'missing_digest', message: 'no run digest to judge; run run-agent-step first' }] });
  });

  it('checkDigestPayload rejects payloads without a classification', () => {
    expect(checkDigestPayload([1])).toEqual({ ok: false, error: 'run_digest_invalid_payload' });
    expect(checkDigestPayload({ classification: {} }).ok).toBe(true);
  });
});
