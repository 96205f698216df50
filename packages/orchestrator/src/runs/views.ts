import { parseHeldFacts } from '@agentpr/state-machine';
import type { RunWithState } from '@agentpr/store';

/**
 * The show-run document for a run: the run, its state, `last_error`, `last_active_state`, `held_facts` (while the
 * run is PAUSED or NEEDS_HUMAN_REVIEW, the GitHub facts `resume` will act on; null when none) and, while it is
 * PAUSED, `paused_from` (where `resume` returns it without held facts; null for runs paused before it was kept).
 */
export function showRunView({ run, state }: RunWithState): Record<string, unknown> {
  let budget: unknown;
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
      campaign: run.campaign ?? null,
      created_at: run.created_at,
      updated_at: run.updated_at,
    },
    state: state.current_state,
    last_error: state.last_error,
    last_active_state: state.last_active_state,
    held_facts: parseHeldFacts(state.held_facts_json),
    ...(state.current_state === 'PAUSED' ? { paused_from: state.paused_from ?? null } : {}),
  };
}
