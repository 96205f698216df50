import { linkSync, unlinkSync } from 'node:fs';
import { ReportError } from './errors.js';
import { feedbackActions, type FeedbackAction, type LowPassSkill } from './feedback-actions.js';
import { pct } from './json-values.js';
import type { ReportContext } from './report-context.js';
import { skillsMetrics, type SkillsMetricsResult } from './skills-metrics.js';

/** Input of {@link skillsFeedback}. */
export interface SkillsFeedbackInput {
  runId?: string;
  /** Reports read (default 300). */
  limit?: number;
  /** Samples a skill needs before it can be flagged (default 3, at least 1). */
  minSamples?: number;
}

/** The skills-feedback document. */
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

/**
 * Gives the Markdown the JSON report's name (`….json` → `….md`) when that name is free, so the pair shares one
 * stamp even when the writer's clock ticked between the two files; otherwise keeps the name it was written under.
 * Linked then unlinked, never renamed, so an existing file is never replaced.
 */
function pairWith(jsonPath: string, markdownPath: string): string {
  const sibling = jsonPath.replace(/\.json$/, '.md');
  if (sibling === markdownPath) return markdownPath;
  try {
    linkSync(markdownPath, sibling);
  } catch {
    return markdownPath;
  }
  unlinkSync(markdownPath);
  return sibling;
}

function yyyymmdd(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** The Markdown rendering of a feedback document. */
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
 * skills-feedback: turns skills metrics into prioritised, checkable actions for prompts, skills and
 * policy, and writes `<reports>/skills_feedback_<stamp>.json` and a Markdown rendering next to it.
 *
 * @example
 * const f = await skillsFeedback(ctx, { limit: 300, minSamples: 3 });
 * f.actions.map((a) => a.id); // ['prompt-impl-test-evidence', 'policy-known-baseline-failures']
 */
export async function skillsFeedback(ctx: ReportContext, input: SkillsFeedbackInput = {}): Promise<SkillsFeedbackResult> {
  const body = await skillsFeedbackView(ctx, input);
  const reportPath = ctx.artifacts.writeNew(ctx.paths.reportsDir, 'skills_feedback_', '.json', `${JSON.stringify(body, null, 2)}\n`);
  const markdownPath = pairWith(reportPath, ctx.artifacts.writeNew(ctx.paths.reportsDir, 'skills_feedback_', '.md', renderSkillsFeedbackMarkdown(body)));
  return { ...body, report_path: reportPath, markdown_path: markdownPath };
}

/** The feedback {@link skillsFeedback} writes, computed without writing anything (the assistant's read tool). */
export type SkillsFeedbackView = Omit<SkillsFeedbackResult, 'report_path' | 'markdown_path'>;

/**
 * The same prioritised actions as {@link skillsFeedback}, without writing the report files.
 *
 * @example
 * const view = await skillsFeedbackView(ctx, { runId: 'run_45f3cbdcdc56' });
 */
export async function skillsFeedbackView(ctx: Pick<ReportContext, 'db' | 'clock'>, input: SkillsFeedbackInput = {}): Promise<SkillsFeedbackView> {
  const minSamples = input.minSamples ?? 3;
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new ReportError('usage', `--min-samples must be an integer of at least 1, got ${minSamples}`);
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
    metrics_snapshot: {
      grade_counts: metrics.grade_counts,
      reason_code_counts: metrics.reason_code_counts,
      missing_required_counts: metrics.missing_required_counts,
    },
  };
  return body;
}
