import { listRuns as storeListRuns, requireRun, type RunListFilter, type RunListItem } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { showRunView } from './views.js';

/** list-runs: `{runs: [...]}` newest first, narrowed by state, repository and campaign when given. */
export async function listRuns(ctx: AppContext, options: { limit: number } & RunListFilter): Promise<{ runs: RunListItem[] }> {
  return { runs: await storeListRuns(ctx.db, options) };
}

/** show-run: the run and its state (see {@link showRunView}). */
export async function showRun(ctx: AppContext, runId: string): Promise<Record<string, unknown>> {
  return showRunView(await requireRun(ctx.db, runId));
}
