import { listRuns as storeListRuns, requireRun, type RunListItem } from '@agentpr/store';
import type { AppContext } from '../context.js';

/** list-runs: `{runs: [...]}` newest first. */
export async function listRuns(ctx: AppContext, options: { limit: number }): Promise<{ runs: RunListItem[] }> {
  return { runs: await storeListRuns(ctx.db, options) };
}

/** show-run: the run and its state, in the reference's shape plus `last_error` and `last_active_state`. */
export async function showRun(ctx: AppContext, runId: string): Promise<Record<string, unknown>> {
  const { run, state } = await requireRun(ctx.db, runId);
  let budget: unknown = {};
  try {
    budget = JSON.parse(run.budget_json);
  } catch {
    budget = {};
  }
  return {
    run: {
      run_id: run.run_id,
      owner: run.owner,
      repo: run.repo,
      prompt_version: run.prompt_version,
      mode: run.mode,
      budget,
      workspace_dir: run.workspace_dir,
      pr_number: run.pr_number,
      created_at: run.created_at,
      updated_at: run.updated_at,
    },
    state: state.current_state,
    last_error: state.last_error,
    last_active_state: state.last_active_state,
  };
}
