import type { ToolOutput } from '@agentpr/assistant';
import type { AppContext } from '@agentpr/orchestrator';
import { AgentprError } from '@agentpr/orchestrator/errors';
import { actionConfig, renderTick } from './manager-options.js';

/**
 * The assistant's `drive_run` runtime: one manager tick for one run, as `agentpr manager-tick --run-id` does it
 * with no flags (actor `manager`, under the run's lease; without a prompt file, agent stages wait for a human). A
 * tick whose action failed throws its one line, so the confirmed write reports a failure.
 */
export async function tickOneRun(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ToolOutput> {
  const { managerTick, tickOptions, defaultManagerActions, awaitingLine } = await import('@agentpr/orchestrator');
  const app = { ...ctx, actor: 'manager' as const };
  const report = await managerTick(app, defaultManagerActions(actionConfig({})), await tickOptions(app, { runId }, signal));
  const result = report.results.find((r) => r.run_id === runId);
  const summary = renderTick(report).split('\n')[0]!;
  if (!result) return { data: { run_id: runId, ticked: false, why: 'the run needs no work now (or another manager holds it)' }, summary };
  // A failed action is the write's failure, so the person sees "Failed: …" rather than "Done: …".
  if (!result.ok) throw new AgentprError('refused', summary);
  const awaiting = result.actions.at(-1)?.awaiting;
  return {
    data: {
      run_id: result.run_id,
      repo: `${result.owner}/${result.repo}`,
      ok: result.ok,
      state: result.state,
      actions: result.actions.map((a) => ({ action: a.action, ok: a.ok, result: a.result, error: a.error?.slice(0, 300) })),
      errors: result.errors.slice(0, 3).map((e) => e.slice(0, 300)),
      waiting_for: awaiting ? awaitingLine(awaiting) : undefined,
    },
    summary,
  };
}
