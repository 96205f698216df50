import { showRunView } from '@agentpr/orchestrator/views';
import type { CommandSpec } from '../command.js';
import { requireStr } from '../values.js';
import { readFast } from '../fast-read.js';

/** `agentpr show-run`: one run and its state. */
export const command: CommandSpec = {
  name: 'show-run',
  summary: 'Show one run and its current state.',
  example: 'agentpr show-run --run-id run_45f3cbdcdc56',
  options: { 'run-id': { type: 'string', value: 'ID', description: 'the run', required: true } },
  async run(ctx, values) {
    const runId = requireStr(values, 'run-id');
    const fast = await readFast(ctx, (reader) => reader.getRun(runId) ?? null);
    if (fast) return { output: showRunView(fast) };
    const output = await (await import('@agentpr/orchestrator')).showRun(await ctx.app(), runId);
    return { output };
  },
};
