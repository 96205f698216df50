import type { CommandSpec } from '../command.js';
import { MANAGER_OPTIONS, actionConfig, managerFlags, renderTick } from './manager-options.js';

/** `agentpr manager-tick`: one manager pass. */
export const command: CommandSpec = {
  name: 'manager-tick',
  summary: 'One manager pass: advance every active run that needs work, under its lease.',
  example: 'agentpr manager-tick --prompt-file prompt.md --skills-mode agentpr',
  gate: (values) => (values['dry-run'] === true ? undefined : 'manager'),
  options: { 'run-id': { type: 'string', value: 'ID', description: 'only this run' }, ...MANAGER_OPTIONS },
  async run(ctx, values) {
    const { managerTick, tickOptions, defaultManagerActions } = await import('@agentpr/orchestrator');
    const app = { ...(await ctx.app()), actor: 'manager' as const };
    const report = await managerTick(app, defaultManagerActions(actionConfig(values)), await tickOptions(app, managerFlags(values), ctx.signal));
    return { output: report, status: report.ok ? 'ok' : 'failed', text: renderTick(report) };
  },
};
