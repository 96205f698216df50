import { formatDuration } from '@agentpr/reports/format-duration';
import type { CommandSpec } from '../command.js';
import { clip, table } from '../render.js';
import { int } from '../values.js';

/** How many of a step's attempts each agent engine ran, `codex 20, claude 11`; `-` for a step no engine ran. */
export function engineCounts(engines: Readonly<Record<string, number>>): string {
  const parts = Object.entries(engines).map(([engine, n]) => `${clip(engine, 40)} ${n}`);
  return parts.length ? parts.join(', ') : '-';
}

/** `agentpr run-bottlenecks`: slow steps and slowest runs over the most recently active runs. */
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
              ['STEP', 'SAMPLES', 'AVG', 'MEDIAN', 'P90', 'MAX', 'ENGINES'],
              r.step_bottlenecks.map((s) => [
                s.step,
                String(s.samples),
                ...[s.avg_duration_ms, s.median_duration_ms, s.p90_duration_ms, s.max_duration_ms].map(formatDuration),
                engineCounts(s.engines),
              ]),
            ),
            '',
            table(
              ['RUN', 'REPO', 'STATE', 'TOTAL', 'TOP STEP', 'TOP STEP TIME'],
              r.slowest_runs.map((s) => [s.run_id, `${s.owner}/${s.repo}`, s.state, formatDuration(s.total_step_duration_ms), s.top_step, formatDuration(s.top_step_duration_ms)]),
            ),
        ].join('\n');
    return { output: r, text };
  },
};
