import { listRuns } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { clip, table } from '../render.js';
import { int } from '../values.js';

/** `agentpr list-runs`: the most recently updated runs. */
export const command: CommandSpec = {
  name: 'list-runs',
  summary: 'List the most recently updated runs.',
  example: 'agentpr list-runs --limit 20',
  options: { limit: { type: 'string', value: 'N', description: 'how many (default 50)' } },
  async run(ctx, values) {
    const limit = int(values, 'limit', { min: 1, default: 50 })!;
    const app = await ctx.app();
    const output = await listRuns(app, { limit });
    const text =
      output.runs.length === 0
        ? 'no runs yet — create one with `agentpr create-run --owner O --repo R --prompt-version v1`'
        : table(
            ['RUN', 'REPO', 'STATE', 'PR', 'UPDATED', 'LAST ERROR'],
            output.runs.map((r) => [r.run_id, `${r.owner}/${r.repo}`, r.current_state, r.pr_number === null ? '-' : `#${r.pr_number}`, r.updated_at, clip(r.last_error, 60)]),
          );
    return { output, text };
  },
};
