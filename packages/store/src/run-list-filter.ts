import type { RunState } from '@agentpr/state-machine';

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

/** The distinct states of a filter, in the order given (an empty list means every state). */
export function filterStates(filter: RunListFilter): RunState[] {
  return [...new Set(filter.states ?? [])];
}

/**
 * Merges per-state lists that are each newest first into one newest-first list of at most `limit` rows — the
 * order of the SQL (`updated_at desc, run_id desc`). With one index-ordered read per state, each stopping at the
 * limit, a filter on several states never sorts a state's whole history.
 */
export function mergeNewestFirst<T extends Ordered>(lists: readonly T[][], limit: number): T[] {
  const all = lists.flat();
  all.sort((a, b) => (a.updated_at === b.updated_at ? cmp(b.run_id, a.run_id) : cmp(b.updated_at, a.updated_at)));
  return all.slice(0, limit);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
