import { describe, expect, it } from 'vitest';
import type { AgentStepOutcome, ConvergedAgentStep, RefusedAgentStep } from '@agentpr/orchestrator';
import { renderAgentStep } from './render-agent-step.js';

const reports = { report: '/r/run_1_agent_runtime_1.json', digest: '/r/run_1_run_digest_1.json', insight: '/r/run_1_manager_insight_1.md' };
const evidence = [{ line: 3, item_id: null, command: 'npm test', exit_code: 0, note: 'test evidence' }];

function converged(over: Partial<ConvergedAgentStep> = {}): ConvergedAgentStep {
  return {
    kind: 'converged',
    engine: 'codex',
    engineSource: 'default',
    model: null,
    verdict: 'PASS',
    classification: { grade: 'PASS', reason_code: 'runtime_success', next_action: 'advance', evidence, details: { exit_code: 0 } },
    agentExit: 0,
    target: 'LOCAL_VALIDATING',
    state: 'LOCAL_VALIDATING',
    stderr: 'warn: x',
    stdoutTail: '{"type":"turn.completed"}',
    sandbox: { isolation: 'bwrap', network: 'allowlist', denied: 0 },
    warnings: [],
    reports,
    eventStream: null,
    lastMessage: '/r/run_1_last_message.txt',
    ...over,
  };
}

const passed: AgentStepOutcome = { ok: true };

describe('renderAgentStep', () => {
  it('a PASS prints the step JSON with the agent exit as exit_code and the stdout tail, in its key order, and exits ok', () => {
    const r = renderAgentStep(converged(), passed);
    expect(r.status).toBe('ok');
    expect(JSON.stringify(r.output)).toBe(
      JSON.stringify({
        ok: true,
        engine: 'codex',
        engine_source: 'default',
        model: null,
        exit_code: 0,
        state: 'LOCAL_VALIDATING',
        stdout_tail: '{"type":"turn.completed"}',
        classification: { grade: 'PASS', reason_code: 'runtime_success', next_action: 'advance', evidence },
        sandbox: { isolation: 'bwrap', network: 'allowlist', denied: 0 },
        agent_report: reports.report,
        agent_event_stream: null,
        agent_last_message: '/r/run_1_last_message.txt',
        run_digest: reports.digest,
        manager_insight: reports.insight,
      }),
    );
    expect(r.text).toBe(`PASS: PASS runtime_success → state LOCAL_VALIDATING\nengine:  codex (default)\nreport:  ${reports.report}\ndigest:  ${reports.digest}\ninsight: ${reports.insight}`);
  });

  it('an agent that failed passes its own exit on and prints its stderr instead of the stdout tail', () => {
    const classification = { grade: 'RETRYABLE' as const, reason_code: 'runtime_transient_failure' as const, next_action: 'retry' as const, evidence: [], details: {} };
    const step = converged({ verdict: 'RETRYABLE', classification, agentExit: 1, state: 'FAILED_RETRYABLE', eventStream: '/r/events.jsonl', warnings: ['w'] });
    const r = renderAgentStep(step, { ok: false, error: 'warn: x' });
    expect(r.status).toEqual({ external: 1 });
    expect(r.output).toMatchObject({ ok: false, exit_code: 1, stderr: 'warn: x', warnings: ['w'], agent_event_stream: '/r/events.jsonl' });
    expect(r.output).not.toHaveProperty('stdout_tail');
    expect(r.text).toContain('not passed: RETRYABLE runtime_transient_failure → state FAILED_RETRYABLE');
    expect(r.text).toMatch(/\nevents: {2}\/r\/events\.jsonl$/);
  });

  it('a claude step names its engine, why it was chosen and its model, in the JSON and on the terminal', () => {
    const r = renderAgentStep(converged({ engine: 'claude', engineSource: 'repo_stage', model: 'claude-sonnet-4-5' }), passed);
    expect(r.output).toMatchObject({ ok: true, engine: 'claude', engine_source: 'repo_stage', model: 'claude-sonnet-4-5' });
    expect(r.text?.split('\n')[1]).toBe('engine:  claude (repo_stage) model claude-sonnet-4-5');
  });

  it('a verdict other than PASS after exit 0 exits 1 (failed)', () => {
    const classification = { grade: 'HUMAN_REVIEW' as const, reason_code: 'missing_test_evidence' as const, next_action: 'escalate' as const, evidence: [], details: {} };
    const r = renderAgentStep(converged({ verdict: 'HUMAN_REVIEW', classification, state: 'NEEDS_HUMAN_REVIEW' }), { ok: false, error: 'missing_test_evidence' });
    expect(r.status).toBe('failed');
    expect(r.output).toMatchObject({ ok: false, exit_code: 0, stdout_tail: '{"type":"turn.completed"}' });
  });

  it('refusals print the error, the state and what the refusal carries, and exit 1', () => {
    const base = { kind: 'refused' as const, state: 'NEEDS_HUMAN_REVIEW' as const };
    const refused = (r: RefusedAgentStep) => renderAgentStep(r, { ok: false, error: r.message });
    const diff = { changed_files: ['stray.txt'], changed_files_count: 1, untracked_files: [], untracked_files_count: 0, ignored_files: [], ignored_files_count: 0, added_lines: 1, deleted_lines: 0, baseline: 'b' };
    const dirty = refused({ ...base, reason: 'dirty_workspace_before_agent', message: 'workspace has pre-existing local changes', diff });
    expect(dirty).toEqual({
      output: { ok: false, error: 'workspace has pre-existing local changes', state: 'NEEDS_HUMAN_REVIEW', diff },
      status: 'failed',
      text: 'not passed: - workspace has pre-existing local changes → state NEEDS_HUMAN_REVIEW',
    });
    const skills = refused({ ...base, reason: 'skills_missing', message: 'skills missing', missingRequired: ['a'], skillsRoot: '/s', nextCommand: 'agentpr install-skills' });
    expect(JSON.stringify(skills.output)).toBe(
      JSON.stringify({ ok: false, error: 'skills missing', missing_required: ['a'], skills_root: '/s', state: 'NEEDS_HUMAN_REVIEW', next_command: 'agentpr install-skills' }),
    );
    const classification = { grade: 'HUMAN_REVIEW' as const, reason_code: 'preflight_hard_failure' as const, next_action: 'escalate' as const, evidence: [], details: {} };
    const report = { ok: false, failures: ['read-only'] } as Extract<RefusedAgentStep, { reason: 'preflight_failed' }>['preflight'];
    const preflight = refused({ ...base, reason: 'preflight_failed', message: 'preflight failed', preflight: report, classification, reports });
    expect(preflight.output).toMatchObject({ ok: false, error: 'preflight failed', preflight: report, classification, agent_report: reports.report, run_digest: reports.digest });
    expect(preflight.text).toBe(`not passed: HUMAN_REVIEW preflight_hard_failure → state NEEDS_HUMAN_REVIEW\nreport:  ${reports.report}\ndigest:  ${reports.digest}\ninsight: ${reports.insight}`);
    expect(refused({ ...base, reason: 'workspace_missing', message: 'no workspace' }).output).toEqual({ ok: false, error: 'no workspace', state: 'NEEDS_HUMAN_REVIEW' });
  });
});
