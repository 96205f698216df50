import type { CommandSpec } from '../command.js';
import { int, requireStr, str } from '../values.js';
import { MANAGER_OPTIONS, actionConfig, managerFlags, renderTick } from './manager-options.js';
import { gatedStatus } from './gated.js';
import { requestText } from './pr-request-text.js';

/** `agentpr drive`: one run from where it is to the next human gate, in the foreground. */
export const command: CommandSpec = {
  name: 'drive',
  summary: 'Drive one run with manager ticks until it waits for a human (PR request, review or failure).',
  example: 'agentpr drive --run-id run_45f3cbdcdc56 --prompt-file prompt.md',
  gate: 'manager',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
    ...MANAGER_OPTIONS,
    'max-ticks': { type: 'string', value: 'N', description: 'give up after N ticks (default 25)' },
    'pr-title': { type: 'string', value: 'TITLE', description: "title of the PR request written at PUSHED (default: the campaign template's title, filled)" },
    'pr-body-file': { type: 'string', value: 'PATH', description: 'body of the PR request, as written (default: the campaign PR template rendered with the run)' },
  },
  async run(ctx, values) {
    const { drive, tickOptions, defaultManagerActions, requestOpenPrReport } = await import('@agentpr/orchestrator');
    const app = { ...(await ctx.app()), actor: 'manager' as const };
    const options = await tickOptions(app, managerFlags(values), ctx.signal);
    const result = await drive(app, defaultManagerActions(actionConfig(values)), options, {
      runId: requireStr(values, 'run-id'),
      maxTicks: int(values, 'max-ticks', { min: 1 }),
      prTitle: str(values, 'pr-title'),
      prBodyFile: str(values, 'pr-body-file'),
      onTick: ctx.json ? undefined : (report) => ctx.stderr.write(`${renderTick(report)}\n`),
    });
    const { reports, pr_request: prRequest, ...summary } = result;
    const gated = prRequest?.kind === 'gated' ? prRequest : undefined;
    const text = [
      `${result.run_id}: ${result.state} after ${result.ticks} ticks — ${summary.stopped_because}`,
      prRequest && !gated ? requestText(prRequest) : '',
    ]
      .filter(Boolean)
      .join('\n');
    const status = gated ? gatedStatus(gated) : result.ok ? 'ok' : 'failed';
    const output = {
      ...summary,
      ...(prRequest ? { pr_request: requestOpenPrReport(prRequest) } : {}),
      ticks_detail: reports.map((r) => r.results[0]?.actions ?? []),
    };
    return { output, status, text };
  },
};
