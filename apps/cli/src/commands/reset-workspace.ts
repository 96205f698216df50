import type { ResetRunWorkspaceResult, WorkspaceResetDone } from '@agentpr/orchestrator';
import type { CommandContext, CommandResult, CommandSpec } from '../command.js';
import { requireStr } from '../values.js';

function resetOutput(r: WorkspaceResetDone) {
  return {
    ok: true,
    run_id: r.runId,
    state: r.state,
    point: r.point,
    target_sha: r.targetSha,
    branch: r.branch,
    previous_head: r.previousHead,
    patch: r.patch,
    discarded: r.discarded,
    omitted: r.omitted,
  };
}

function resetText(r: WorkspaceResetDone): string {
  const where = r.point === 'base' ? 'the base commit' : 'the last pushed head';
  const { tracked, untracked, ignored } = r.discarded;
  const kept = r.patch ? `; discarded changes kept in ${r.patch}` : '; nothing to discard';
  return `reset ${r.runId}'s workspace to ${where} ${r.targetSha.slice(0, 12)}${r.branch ? ` on ${r.branch}` : ''} (${tracked} tracked, ${untracked} untracked, ${ignored} ignored discarded)${kept}`;
}

function render(ctx: Pick<CommandContext, 'stderr'>, result: ResetRunWorkspaceResult): CommandResult {
  switch (result.kind) {
    case 'reset':
      return { output: resetOutput(result), text: resetText(result) };
    case 'refused':
      ctx.stderr.write(`agentpr: reset-workspace refused: ${result.message}\n`);
      return { output: { ok: false, run_id: result.runId, state: result.state, reason: result.reason, error: result.message }, status: 'failed', text: `reset-workspace refused: ${result.message}` };
    case 'failed':
      ctx.stderr.write(`agentpr: reset-workspace failed: ${result.message}\n`);
      return {
        output: { ok: false, run_id: result.runId, state: result.state, reason: result.reason, error: result.message, patch: result.patch },
        status: 'failed',
        text: `reset-workspace failed: ${result.message}${result.patch ? ` (discarded changes kept in ${result.patch})` : ''}`,
      };
  }
}

/** `agentpr reset-workspace`: put a run's workspace back at its last good point, keeping a patch of what it discards. */
export const command: CommandSpec = {
  name: 'reset-workspace',
  summary: "Reset a run's workspace to its base commit (or last pushed head), keeping a patch of what it discards.",
  example: 'agentpr reset-workspace --run-id run_45f3cbdcdc56',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
  },
  async run(ctx, values) {
    const { resetRunWorkspace } = await import('@agentpr/orchestrator');
    return render(ctx, await resetRunWorkspace(await ctx.app(), { runId: requireStr(values, 'run-id') }));
  },
};
