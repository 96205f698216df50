import type { CommandSpec } from '../command.js';
import { int, str } from '../values.js';

/** `agentpr skills-feedback`: prioritised prompt, skill and policy changes from the metrics. */
export const command: CommandSpec = {
  name: 'skills-feedback',
  summary: 'Suggest prompt, skill and policy changes from recent agent outcomes, and write them as a report.',
  example: 'agentpr skills-feedback --limit 300 --min-samples 3',
  options: {
    'run-id': { type: 'string', value: 'ID', description: "only this run's reports (default all runs)" },
    limit: { type: 'string', value: 'N', description: 'newest agent runtime reports read (default 300)' },
    'min-samples': { type: 'string', value: 'N', description: 'samples a skill needs before it is flagged (default 3)' },
  },
  async run(ctx, values) {
    const { skillsFeedback } = await import('@agentpr/reports');
    const runId = str(values, 'run-id');
    const f = await skillsFeedback(await ctx.app(), {
      ...(runId ? { runId } : {}),
      limit: int(values, 'limit', { min: 1, default: 300 })!,
      minSamples: int(values, 'min-samples', { min: 1, default: 3 })!,
    });
    const s = f.input_summary;
    const text = [
      `${s.parsed_reports} reports: PASS ${s.pass_rate_pct}%, RETRYABLE ${s.retryable_rate_pct}%, HUMAN_REVIEW ${s.human_review_rate_pct}%`,
      '',
      ...(f.actions.length ? f.actions.map((a, i) => `${i + 1}. [${a.priority}] ${a.id} (${a.trigger})\n   ${a.recommendation}`) : ['no actions; keep sampling runs']),
      '',
      `report: ${f.report_path}`,
      `markdown: ${f.markdown_path}`,
    ].join('\n');
    return { output: f, text };
  },
};
