import { RUN_STATES, type RunState } from '@agentpr/state-machine';

/**
 * What `list-runs` narrows the list to; every given filter must match. `states` is any of the states; `repo`
 * matches owner and name case-insensitively (as GitHub does); `campaign` is the exact campaign name.
 */
export interface RunListFilter {
  states?: readonly RunState[] | undefined;
  repo?: { owner: string; repo: string } | undefined;
  campaign?: string | undefined;
}

/** The part of a listed run the list order reads. */
interface Ordered {
  run_id: string;
  updated_at: string;
}

/**
 * The ordered reads a filter takes, one per state (`undefined`: one read over every state). Given states are
 * read one by one from `idx_run_states_state_updated`; a campaign without states is read state by state from
 * `idx_run_states_campaign_state`. Each read stops at the limit, so no filter sorts a whole history.
 */
export function listReads(filter: RunListFilter): Array<RunState | undefined> {
  if (filter.states?.length) return [...new Set(filter.states)];
  return filter.campaign !== undefined ? [...RUN_STATES] : [undefined];
}

/** Merges per-state lists that are each newest first into one newest-first list of at most `limit` rows (the SQL's order). */
export function mergeNewestFirst<T extends Ordered>(lists: readonly T[][], limit: number): T[] {
  const all = lists.flat();
  all.sort((a, b) => (a.updated_at === b.updated_at ? cmp(b.run_id, a.run_id) : cmp(b.updated_at, a.updated_at)));
  return all.slice(0, limit);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
