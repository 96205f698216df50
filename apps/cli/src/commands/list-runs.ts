import type { CommandSpec } from '../command.js';
import { clip, table } from '../render.js';
import { int } from '../values.js';
import { readFast } from '../fast-read.js';

/** `agentpr list-runs`: the most recently updated runs. */
import type { RunListItem } from '@agentpr/store';

async function listRuns(app: import('@agentpr/orchestrator').AppContext, options: { limit: number }): Promise<{ runs: RunListItem[] }> {
  return (await import('@agentpr/orchestrator')).listRuns(app, options);
}

/** `agentpr list-runs`. */
export const command: CommandSpec = {
  name: 'list-runs',
  summary: 'List the most recently updated runs.',
  example: 'agentpr list-runs --limit 20',
  options: { limit: { type: 'string', value: 'N', description: 'how many (default 50)' } },
  async run(ctx, values) {
    const limit = int(values, 'limit', { min: 1, default: 50 })!;
    const output = (await readFast(ctx, (reader) => ({ runs: reader.listRuns(limit) }))) ?? (await listRuns(await ctx.app(), { limit }));
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
