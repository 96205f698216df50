import { mkdirSync, writeFileSync } from 'node:fs';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { writeNewFile } from '../adapters/file-stamp.js';
import { pct } from './analysis-shared.js';
import { skillsMetrics, type SkillsMetricsResult } from './skills-metrics.js';

/** Input of {@link skillsFeedback} (SPEC §10.2). */
export interface SkillsFeedbackInput {
  runId?: string;
  /** Reports read (default 300). */
  limit?: number;
  /** Samples a skill needs before it can be flagged (default 3, at least 1). */
  minSamples?: number;
}

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

/** The skills-feedback document (SPEC §10.2). */
export interface SkillsFeedbackResult {
  ok: true;
  generated_at: string;
  scope_run_id: string | null;
  input_summary: {
    parsed_reports: number;
    pass_count: number;
    retryable_count: number;
    human_review_count: number;
    pass_rate_pct: number;
    retryable_rate_pct: number;
    human_review_rate_pct: number;
  };
  top_reasons: Array<{ reason_code: string; count: number }>;
  low_pass_skills: LowPassSkill[];
  actions: FeedbackAction[];
  suggested_versions: { prompt_version: string; skills_bundle_version: string };
  metrics_snapshot: Pick<SkillsMetricsResult, 'grade_counts' | 'reason_code_counts' | 'missing_required_counts'>;
  report_path: string;
  markdown_path: string;
}

function dominant(reasons: Record<string, number>): [string, number] {
  let best: [string, number] = ['', 0];
  for (const [r, n] of Object.entries(reasons)) if (n > best[1]) best = [r, n];
  return best;
}

/** The actions of SPEC §10.2 (plus two for the reason codes this implementation adds), in order. */
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

function yyyymmdd(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** The Markdown rendering of a feedback document (SPEC §10.2). */
export function renderSkillsFeedbackMarkdown(f: Omit<SkillsFeedbackResult, 'report_path' | 'markdown_path'>): string {
  const s = f.input_summary;
  const lines = [
    '# Skills feedback',
    '',
    `Generated ${f.generated_at} for ${f.scope_run_id ? `run ${f.scope_run_id}` : 'all runs (global)'}.`,
    '',
    '## Summary',
    '',
    `- Parsed reports: ${s.parsed_reports}`,
    `- PASS: ${s.pass_count} (${s.pass_rate_pct}%)`,
    `- RETRYABLE: ${s.retryable_count} (${s.retryable_rate_pct}%)`,
    `- HUMAN_REVIEW: ${s.human_review_count} (${s.human_review_rate_pct}%)`,
    '',
    '## Top reasons',
    '',
    ...(f.top_reasons.length ? f.top_reasons.map((r) => `- \`${r.reason_code}\`: ${r.count}`) : ['- No data yet.']),
    '',
    '## Actions',
    '',
    ...(f.actions.length
      ? f.actions.flatMap((a, i) => [`${i + 1}. **[${a.priority}] ${a.id}** — target: ${a.target}`, `   - trigger: ${a.trigger}`, `   - change: ${a.recommendation}`, `   - acceptance: ${a.acceptance_check}`])
      : ['1. No actions generated; keep sampling runs.']),
    '',
    '## Suggested versions',
    '',
    `- prompt_version: ${f.suggested_versions.prompt_version}`,
    `- skills_bundle_version: ${f.suggested_versions.skills_bundle_version}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * skills-feedback (SPEC §10.2): turns skills metrics into prioritised, checkable actions for prompts, skills and
 * policy, and writes `<reports>/skills_feedback_<stamp>.json` and a Markdown rendering next to it.
 *
 * @example
 * const f = await skillsFeedback(ctx, { limit: 300, minSamples: 3 });
 * f.actions.map((a) => a.id); // ['prompt-impl-test-evidence', 'policy-known-baseline-failures']
 */
export async function skillsFeedback(ctx: AppContext, input: SkillsFeedbackInput = {}): Promise<SkillsFeedbackResult> {
  const minSamples = input.minSamples ?? 3;
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new AgentprError('usage', `--min-samples must be an integer of at least 1, got ${minSamples}`);
  const metrics = await skillsMetrics(ctx, { ...(input.runId ? { runId: input.runId } : {}), limit: input.limit ?? 300 });
  const now = ctx.clock();
  const g = metrics.grade_counts;
  const total = metrics.parsed_reports;
  const pass = g.PASS ?? 0;
  const retryable = g.RETRYABLE ?? 0;
  const human = g.HUMAN_REVIEW ?? 0;
  const reasons = Object.entries(metrics.reason_code_counts).map(([reason_code, count], i) => ({ reason_code, count, i }));
  const topReasons = reasons.sort((a, b) => b.count - a.count || a.i - b.i).slice(0, 10).map(({ reason_code, count }) => ({ reason_code, count }));
  const lowPass = metrics.per_skill
    .filter((s) => s.samples >= minSamples)
    .map((s) => {
      const [dominant_reason, dominant_reason_count] = dominant(s.reasons);
      return { skill: s.skill, samples: s.samples, pass_rate_pct: pct(s.grades.PASS ?? 0, s.samples), dominant_reason, dominant_reason_count };
    })
    .filter((s) => s.pass_rate_pct < 60)
    .sort((a, b) => a.pass_rate_pct - b.pass_rate_pct);
  const body: Omit<SkillsFeedbackResult, 'report_path' | 'markdown_path'> = {
    ok: true,
    generated_at: now.toISOString(),
    scope_run_id: input.runId ?? null,
    input_summary: {
      parsed_reports: total,
      pass_count: pass,
      retryable_count: retryable,
      human_review_count: human,
      pass_rate_pct: pct(pass, total),
      retryable_rate_pct: pct(retryable, total),
      human_review_rate_pct: pct(human, total),
    },
    top_reasons: topReasons,
    low_pass_skills: lowPass.slice(0, 10),
    actions: feedbackActions(metrics, lowPass),
    suggested_versions: { prompt_version: `auto-prompt-${yyyymmdd(now)}`, skills_bundle_version: `auto-skills-${yyyymmdd(now)}` },
    metrics_snapshot: { grade_counts: metrics.grade_counts, reason_code_counts: metrics.reason_code_counts, missing_required_counts: metrics.missing_required_counts },
  };
  mkdirSync(ctx.paths.reportsDir, { recursive: true });
  const reportPath = writeNewFile(ctx.paths.reportsDir, 'skills_feedback_', now, '.json', `${JSON.stringify(body, null, 2)}\n`);
  let markdownPath = reportPath.replace(/\.json$/, '.md');
  try {
    writeFileSync(markdownPath, renderSkillsFeedbackMarkdown(body), { flag: 'wx', mode: 0o600 });
  } catch {
    markdownPath = writeNewFile(ctx.paths.reportsDir, 'skills_feedback_', now, '.md', renderSkillsFeedbackMarkdown(body));
  }
  return { ...body, report_path: reportPath, markdown_path: markdownPath };
}
