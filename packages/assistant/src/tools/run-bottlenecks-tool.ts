import * as v from 'valibot';
import { runBottlenecks } from '@agentpr/reports';
import { formatDuration } from '@agentpr/reports/format-duration';
import { defineTool } from './define-tool.js';
import { reportCall } from './report-call.js';
import { limitArg } from './tool-args.js';
import { plural } from './tool-data.js';

/** `run_bottlenecks`: which steps are slow and which runs took longest (`agentpr run-bottlenecks`). */
export const runBottlenecksTool = defineTool({
  name: 'run_bottlenecks',
  description: 'Find where the time goes: per step, the average, median, p90 and longest duration over the most recently active runs, and the slowest runs.',
  tier: 'read',
  effect: 'read',
  args: v.strictObject({ limit: limitArg('recently active runs to look at', 20) }),
  async run(ctx, input) {
    const r = await reportCall(() => runBottlenecks(ctx, { limit: input.limit ?? 20 }));
    return {
      data: {
        analyzed_runs: r.analyzed_runs,
        steps: r.step_bottlenecks.slice(0, 10).map((s) => ({
          step: s.step,
          samples: s.samples,
          average: formatDuration(s.avg_duration_ms),
          median: formatDuration(s.median_duration_ms),
          p90: formatDuration(s.p90_duration_ms),
          longest: formatDuration(s.max_duration_ms),
        })),
        slowest_runs: r.slowest_runs.slice(0, 10).map((s) => ({
          run_id: s.run_id,
          repo: `${s.owner}/${s.repo}`,
          state: s.state,
          total_step_time: formatDuration(s.total_step_duration_ms),
          top_step: s.top_step,
          top_step_time: formatDuration(s.top_step_duration_ms),
        })),
      },
      summary: `${plural(r.analyzed_runs, 'run')} analysed${r.step_bottlenecks[0] ? `; slowest step ${r.step_bottlenecks[0].step}` : ''}`,
    };
  },
});
