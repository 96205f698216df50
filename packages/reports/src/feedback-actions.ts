import type { SkillsMetricsResult } from './skills-metrics.js';

/** One suggested change. */
export interface FeedbackAction {
  id: string;
  priority: 'high' | 'medium';
  target: string;
  trigger: string;
  recommendation: string;
  acceptance_check: string;
}

/** A skill whose pass rate is low. */
export interface LowPassSkill {
  skill: string;
  samples: number;
  pass_rate_pct: number;
  dominant_reason: string;
  dominant_reason_count: number;
}

/** The suggested actions, in priority order: one for each kind of reason code or low-pass skill the metrics show. */
export function feedbackActions(metrics: SkillsMetricsResult, lowPass: LowPassSkill[]): FeedbackAction[] {
  const r = metrics.reason_code_counts;
  const n = (k: string): number => r[k] ?? 0;
  const actions: FeedbackAction[] = [];
  const gap = n('missing_test_evidence') + n('insufficient_test_evidence');
  if (gap > 0) {
    actions.push({
      id: 'prompt-impl-test-evidence',
      priority: 'high',
      target: 'agentpr-implement-and-validate + prompt_template',
      trigger: `evidence_gap_count=${gap}`,
      recommendation: 'Require the test commands CI runs, and their output, in the worker final report.',
      acceptance_check: 'missing_test_evidence and insufficient_test_evidence decrease over the next 10 runs.',
    });
  }
  if (n('test_command_failed') > 0) {
    actions.push({
      id: 'policy-known-baseline-failures',
      priority: 'high',
      target: 'manager_policy.run_agent_step.known_test_failure_allowlist',
      trigger: `test_command_failed=${n('test_command_failed')}`,
      recommendation: 'Separate baseline failures from failures the integration causes; allowlist only verified baseline signatures per repo; unknown failures stay HUMAN_REVIEW.',
      acceptance_check: 'test_command_failed decreases without more regressions found in review.',
    });
  }
  if (n('diff_budget_exceeded') > 0) {
    actions.push({
      id: 'policy-minimal-diff-tighten',
      priority: 'medium',
      target: 'manager_policy.run_agent_step.repo_overrides',
      trigger: `diff_budget_exceeded=${n('diff_budget_exceeded')}`,
      recommendation: 'Tighten the file and line budgets of the affected repos and reinforce the minimal-patch rules in the implement skill.',
      acceptance_check: 'Median changed files and added lines go down while the PASS rate holds.',
    });
  }
  const transient = n('runtime_transient_failure') + n('runtime_unknown_failure');
  if (transient > 0) {
    actions.push({
      id: 'policy-retry-and-timeout-calibration',
      priority: 'medium',
      target: 'manager_policy.run_agent_step.max_agent_seconds/retry caps',
      trigger: `transient_like_failures=${transient}`,
      recommendation: 'Calibrate timeouts and retry caps per repo; tell network and tooling failures apart from code failures before dispatching again.',
      acceptance_check: 'The RETRYABLE share decreases and retryable_limit_exceeded stays low.',
    });
  }
  const missing = Object.keys(metrics.missing_required_counts).sort();
  if (missing.length > 0) {
    actions.push({
      id: 'skills-install-integrity',
      priority: 'high',
      target: 'skills installation + bootstrap checks',
      trigger: `missing_required_counts=${missing.join(', ')}`,
      recommendation: 'Check the required skills when the manager starts and fail fast before dispatching a worker.',
      acceptance_check: 'missing_required_counts stays empty for new runs.',
    });
  }
  if (n('hidden_command_failure') > 0) {
    actions.push({
      id: 'runtime-hidden-command-failures',
      priority: 'high',
      target: 'codex sandbox setup (sandbox mode, CODEX_HOME outside TMPDIR)',
      trigger: `hidden_command_failure=${n('hidden_command_failure')}`,
      recommendation: 'Commands vanished from the event stream (codex drops sandbox-denied commands): check the sandbox mode and that CODEX_HOME is not under the worker TMPDIR.',
      acceptance_check: 'hidden_command_failure stays at 0 for new runs.',
    });
  }
  const blocked = n('agent_reported_needs_review') + n('agent_reported_failure') + n('agent_reported_skip');
  if (blocked > 0) {
    actions.push({
      id: 'stage-inputs-agent-blockers',
      priority: 'medium',
      target: 'task packet + stage skills',
      trigger: `agent_reported_blockers=${blocked}`,
      recommendation: 'Read the blockers the worker reported (missing contract, out-of-repo inputs, failing baseline) and supply those inputs before the next attempt.',
      acceptance_check: 'agent_reported_* reason codes decrease over the next 10 runs.',
    });
  }
  for (const s of lowPass.slice(0, 5)) {
    actions.push({
      id: `skill-tune-${s.skill.replace(/\//g, '-')}`,
      priority: 'medium',
      target: s.skill,
      trigger: `samples=${s.samples},pass_rate_pct=${s.pass_rate_pct},dominant_reason=${s.dominant_reason}`,
      recommendation: `Update the checklist and exit criteria of ${s.skill} for its dominant failure (${s.dominant_reason}) and A/B it on at least 3 repositories.`,
      acceptance_check: `The pass rate of ${s.skill} reaches at least 70% over the next min_samples+ samples.`,
    });
  }
  return actions;
}
