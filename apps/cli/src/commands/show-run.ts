import { showRun } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { requireStr } from '../values.js';

/** `agentpr show-run`: one run and its state. */
export const command: CommandSpec = {
  name: 'show-run',
  summary: 'Show one run and its current state.',
  example: 'agentpr show-run --run-id run_45f3cbdcdc56',
  options: { 'run-id': { type: 'string', value: 'ID', description: 'the run', required: true } },
  async run(ctx, values) {
    const app = await ctx.app();
    const output = await showRun(app, requireStr(values, 'run-id'));
    return { output };
  },
};
