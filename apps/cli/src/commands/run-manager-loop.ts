import type { CommandSpec } from '../command.js';
import { int } from '../values.js';
import { MANAGER_OPTIONS, actionConfig, managerFlags, renderTick } from './manager-options.js';

/** `agentpr run-manager-loop` (also `agentpr-manager`): ticks forever. */
export const command: CommandSpec = {
  name: 'run-manager-loop',
  summary: 'Run manager ticks forever (or --max-loops); any number of loops may share one database.',
  example: 'agentpr run-manager-loop --prompt-file prompt.md --interval-sec 300',
  gate: 'manager',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'only this run' },
    ...MANAGER_OPTIONS,
    'interval-sec': { type: 'string', value: 'N', description: 'seconds between ticks (default 300)' },
    'max-loops': { type: 'string', value: 'N', description: 'stop after N ticks' },
    'shutdown-grace-sec': { type: 'string', value: 'N', description: 'on SIGTERM, let a running agent step finish this long before stopping it (default 30)' },
  },
  async run(ctx, values) {
    const { runManagerLoopService } = await import('@agentpr/manager-loop-app');
    const result = await runManagerLoopService({
      app: await ctx.app(),
      flags: managerFlags(values),
      actions: actionConfig(values),
      intervalSec: int(values, 'interval-sec', { min: 1, default: 300 })!,
      maxLoops: int(values, 'max-loops', { min: 1 }),
      shutdownGraceSec: int(values, 'shutdown-grace-sec', { min: 0, default: 30 })!,
      signal: ctx.signal,
      announce: (line) => ctx.stderr.write(`agentpr: ${line}\n`),
      onTick: (report) => ctx.stdout.write(`${ctx.json ? JSON.stringify(report) : renderTick(report)}\n`),
    });
    // Ctrl-C exits 130; SIGTERM (a service manager stopping us) is a clean stop.
    switch (result.kind) {
      case 'stopped':
        return { output: undefined, status: result.signal === 'SIGINT' ? 'interrupted' : 'ok' };
      case 'finished':
        return { output: undefined, status: result.ok ? 'ok' : 'failed' };
      default: {
        const never: never = result;
        return never;
      }
    }
  },
};
