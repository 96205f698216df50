import type { CommandSpec } from '../command.js';
import { table } from '../render.js';
import { int } from '../values.js';

/** `agentpr run-bottlenecks`: slow steps and slowest runs over the most recently active runs (SPEC §10.4). */
export const command: CommandSpec = {
  name: 'run-bottlenecks',
  summary: 'Show which steps are slow and which runs took longest.',
  example: 'agentpr run-bottlenecks --limit 20',
  options: {
    limit: { type: 'string', value: 'N', description: 'most recently active runs with attempts (default 20)' },
    'attempt-limit-per-run': { type: 'string', value: 'N', description: 'attempts read per run (default 200)' },
  },
  async run(ctx, values) {
    const { runBottlenecks } = await import('@agentpr/reports');
    const r = await runBottlenecks(await ctx.app(), {
      limit: int(values, 'limit', { min: 1, default: 20 })!,
      attemptLimitPerRun: int(values, 'attempt-limit-per-run', { min: 1, default: 200 })!,
    });
    const text =
      r.analyzed_runs === 0
        ? 'no step attempts recorded yet'
        : [
            `${r.analyzed_runs} of ${r.scanned_runs} runs analysed`,
            '',
            table(
              ['STEP', 'SAMPLES', 'AVG MS', 'MEDIAN MS', 'P90 MS', 'MAX MS'],
              r.step_bottlenecks.map((s) =>
                [s.step, ...[s.samples, s.avg_duration_ms, s.median_duration_ms, s.p90_duration_ms, s.max_duration_ms].map(String)],
              ),
            ),
            '',
            table(
              ['RUN', 'REPO', 'STATE', 'TOTAL MS', 'TOP STEP', 'TOP STEP MS'],
              r.slowest_runs.map((s) => [s.run_id, `${s.owner}/${s.repo}`, s.state, String(s.total_step_duration_ms), s.top_step, String(s.top_step_duration_ms)]),
            ),
        ].join('\n');
    return { output: r, text };
  },
};
