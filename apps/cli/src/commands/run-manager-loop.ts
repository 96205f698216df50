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
    const { runManagerLoop, tickOptions, defaultManagerActions } = await import('@agentpr/orchestrator');
    const app = { ...(await ctx.app()), actor: 'manager' as const };
    const options = await tickOptions(app, managerFlags(values), ctx.signal);
    // SIGTERM/SIGINT: take no new work at once; stop running actions after the grace period.
    const actions = new AbortController();
    const grace = int(values, 'shutdown-grace-sec', { min: 0, default: 30 })! * 1000;
    ctx.signal.addEventListener('abort', () => {
      ctx.stderr.write(`agentpr: stopping: no new work; running actions get ${grace / 1000} s to finish\n`);
      setTimeout(() => actions.abort(new Error('shutdown')), grace).unref();
    }, { once: true });
    options.actionSignal = actions.signal;
    const result = await runManagerLoop(app, defaultManagerActions(actionConfig(values)), options, {
      intervalSec: int(values, 'interval-sec', { min: 1, default: 300 })!,
      maxLoops: int(values, 'max-loops', { min: 1 }),
      signal: ctx.signal,
      onTick: (report) => ctx.stdout.write(`${ctx.json ? JSON.stringify(report) : renderTick(report)}\n`),
    });
    // Ctrl-C exits 130; SIGTERM (a service manager stopping us) is a clean stop.
    return { output: undefined, status: ctx.signal.aborted ? (ctx.signal.reason === 'SIGINT' ? 'interrupted' : 'ok') : result.ok ? 'ok' : 'failed' };
  },
};
