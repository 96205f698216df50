import * as v from 'valibot';
import { showRunView } from '@agentpr/orchestrator/views';
import { defineTool } from './define-tool.js';
import { runIdArg } from './tool-args.js';
import { ago, clip, requireRun } from './tool-data.js';

/** The run's budget as stored (an operator's JSON object), as JSON text cut to the usual length. */
function budgetOf(json: string): string | null {
  return clip(json.trim() === '' ? '{}' : json);
}

/** `show_run`: one run, as `agentpr show-run` shows it, trimmed to what a person reads. */
export const showRunTool = defineTool({
  name: 'show_run',
  description:
    'Show one run: owner/repo, state (and where a paused run was paused from), PR number, campaign, last error, the GitHub facts held ' +
    'while it is paused or escalated, and when it was created and last changed.',
  tier: 'read',
  effect: 'read',
  args: v.strictObject({ run_id: runIdArg }),
  async run(ctx, input) {
    const found = await requireRun(ctx, input.run_id);
    const view = showRunView(found);
    const { run, state } = found;
    return {
      data: {
        run_id: run.run_id,
        repo: `${run.owner}/${run.repo}`,
        state: state.current_state,
        ...('paused_from' in view ? { paused_from: view.paused_from } : {}),
        last_active_state: state.last_active_state,
        last_error: clip(state.last_error),
        held_facts: view.held_facts,
        pr_number: run.pr_number,
        campaign: run.campaign ?? null,
        prompt_version: clip(run.prompt_version, 80),
        budget: budgetOf(run.budget_json),
        created_at: run.created_at,
        updated_at: state.updated_at,
        age: ago(state.updated_at, ctx.clock()),
      },
      summary: `${run.run_id} (${run.owner}/${run.repo}) is ${state.current_state}`,
    };
  },
});
