import * as v from 'valibot';
import { skillsFeedbackView, skillsMetrics } from '@agentpr/reports';
import { defineTool } from './define-tool.js';
import { reportCall } from './report-call.js';
import { limitArg, runIdArg } from './tool-args.js';
import { clip, plural, requireRun } from './tool-data.js';

/** The `n` largest counts of a count map, largest first. */
function top(counts: Record<string, number>, n = 10): Array<{ key: string; count: number }> {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, count]) => ({ key: clip(key, 100)!, count }));
}

const scope = v.optional(v.pipe(runIdArg, v.description('Only this run (default: all runs).')));

/** `skills_metrics`: outcome counts per skills mode, grade, reason code and skill (`agentpr skills-metrics`). */
export const skillsMetricsTool = defineTool({
  name: 'skills_metrics',
  description: "Count the agent's outcomes over its newest runtime reports: per grade, reason code, skills mode and skill, with the skills required but missing.",
  tier: 'read',
  effect: 'read',
  args: v.strictObject({ run_id: scope, limit: limitArg('newest runtime reports to count', 50) }),
  async run(ctx, input) {
    if (input.run_id !== undefined) await requireRun(ctx, input.run_id);
    const m = await reportCall(() => skillsMetrics(ctx, { ...(input.run_id ? { runId: input.run_id } : {}), limit: input.limit ?? 50 }));
    return {
      data: {
        scope_run_id: m.scope_run_id,
        parsed_reports: m.parsed_reports,
        unreadable_reports: m.failures.length,
        grades: m.grade_counts,
        top_reason_codes: top(m.reason_code_counts),
        skills_modes: m.mode_counts,
        missing_required_skills: top(m.missing_required_counts),
        per_skill: m.per_skill.slice(0, 10).map((s) => ({ skill: clip(s.skill, 100), samples: s.samples, grades: s.grades })),
      },
      summary: `${plural(m.parsed_reports, 'runtime report')} counted${m.scope_run_id ? ` for ${m.scope_run_id}` : ''}`,
    };
  },
});

/**
 * `skills_feedback`: prioritised prompt, skill and policy changes from the metrics (`agentpr skills-feedback`). Like
 * the command's report, it is computed without writing any file: a read tool changes nothing.
 */
export const skillsFeedbackTool = defineTool({
  name: 'skills_feedback',
  description: 'Suggest prioritised changes to prompts, skills and policy from the outcome metrics: pass rates, the top failure reasons and the skills that pass least.',
  tier: 'read',
  effect: 'read',
  args: v.strictObject({ run_id: scope }),
  async run(ctx, input) {
    if (input.run_id !== undefined) await requireRun(ctx, input.run_id);
    const f = await reportCall(() => skillsFeedbackView(ctx, input.run_id ? { runId: input.run_id } : {}));
    return {
      data: {
        scope_run_id: f.scope_run_id,
        summary: f.input_summary,
        top_reasons: f.top_reasons.slice(0, 5).map((r) => ({ reason_code: clip(r.reason_code, 100), count: r.count })),
        low_pass_skills: f.low_pass_skills.slice(0, 5).map((s) => ({
          skill: clip(s.skill, 100),
          samples: s.samples,
          pass_rate_pct: s.pass_rate_pct,
          dominant_reason: clip(s.dominant_reason, 100),
        })),
        actions: f.actions.slice(0, 8).map((a) => ({
          priority: a.priority,
          id: a.id,
          target: a.target,
          trigger: clip(a.trigger),
          change: clip(a.recommendation),
          acceptance_check: clip(a.acceptance_check),
        })),
      },
      summary: `${plural(f.actions.length, 'action')} from ${plural(f.input_summary.parsed_reports, 'runtime report')}`,
    };
  },
});
