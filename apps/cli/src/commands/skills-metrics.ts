import type { CommandSpec } from '../command.js';
import { table } from '../render.js';
import { int, str } from '../values.js';

/** `agentpr skills-metrics`: outcome counts per skills mode, grade, reason and skill. */
export const command: CommandSpec = {
  name: 'skills-metrics',
  summary: 'Count agent outcomes per skills mode, grade, reason and skill.',
  example: 'agentpr skills-metrics --limit 200',
  options: {
    'run-id': { type: 'string', value: 'ID', description: "only this run's reports (default all runs)" },
    limit: { type: 'string', value: 'N', description: 'newest agent runtime reports read (default 200)' },
  },
  async run(ctx, values) {
    const { skillsMetrics } = await import('@agentpr/reports');
    const runId = str(values, 'run-id');
    const m = await skillsMetrics(await ctx.app(), { ...(runId ? { runId } : {}), limit: int(values, 'limit', { min: 1, default: 200 })! });
    const counts = (c: Record<string, number>): string => Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ') || '(none)';
    const text = [
      `${m.parsed_reports} of ${m.scanned_artifacts} reports parsed${m.scope_run_id ? ` for ${m.scope_run_id}` : ''}`,
      `grades:  ${counts(m.grade_counts)}`,
      `reasons: ${counts(m.reason_code_counts)}`,
      `modes:   ${counts(m.mode_counts)}`,
      ...(Object.keys(m.missing_required_counts).length ? [`missing required skills: ${counts(m.missing_required_counts)}`] : []),
      '',
      m.per_skill.length ? table(['SKILL', 'SAMPLES', 'GRADES', 'TOP REASONS'], m.per_skill.map((s) => [s.skill, String(s.samples), counts(s.grades), counts(s.reasons)])) : 'no skill samples (skills mode off everywhere?)',
      ...m.failures.map((f) => `warning: ${f.run_id} artifact ${f.artifact_id}: ${f.error}`),
    ].join('\n');
    return { output: m, text };
  },
};
