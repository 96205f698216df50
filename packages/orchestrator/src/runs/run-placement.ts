import { describePlacement, getLease, iso, type PlacementView, type RunWithState } from '@agentpr/store';
import type { AppContext } from '../context.js';

/**
 * Where a run lives across hosts, for show-run and inspect-run: its lease read now, then `describePlacement` (the
 * host holding the lease, the host that last held the workspace, the workspace's path on THIS host and the path it
 * was created at). Read only; an invalid `AGENTPR_HOST_ID` or a workspace path that would leave the root is shown as
 * such instead of failing the view.
 *
 * @example
 * const placement = await runPlacement(ctx, await requireRun(ctx.db, 'run_1'));
 * placement.lease?.host; // 'worker-2'
 */
export async function runPlacement(ctx: Pick<AppContext, 'db' | 'env' | 'paths' | 'clock'>, found: RunWithState): Promise<PlacementView> {
  const lease = await getLease(ctx.db, found.run.run_id);
  return describePlacement(found, lease, { env: ctx.env, workspaceRoot: ctx.paths.workspaceRoot, now: iso(ctx.clock()) });
}
