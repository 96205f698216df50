import { getLease, holderOrigin, iso, resolveHostId, type RunWithState } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { localWorkspaceDir } from '../workspace/local-run.js';
import type { PlacementView } from './views.js';

/**
 * Where a run lives across hosts, for show-run and inspect-run: the host holding its lease now (from the lease
 * holder's name; null when the lease is free or expired), the host that last held its workspace, the workspace's
 * path on THIS host and the path it was created at. Read only; an invalid `AGENTPR_HOST_ID` or a workspace path that
 * would leave the root is shown as such instead of failing the view.
 *
 * @example
 * const placement = await runPlacement(ctx, await requireRun(ctx.db, 'run_1'));
 * placement.lease?.host; // 'worker-2'
 */
export async function runPlacement(ctx: Pick<AppContext, 'db' | 'env' | 'paths' | 'clock'>, found: RunWithState): Promise<PlacementView> {
  const { run, state } = found;
  const lease = await getLease(ctx.db, run.run_id);
  const live = lease && lease.expires_at > iso(ctx.clock()) ? lease : undefined;
  const origin = live ? holderOrigin(live.holder) : undefined;
  let thisHost: string;
  try {
    thisHost = resolveHostId(ctx.env);
  } catch {
    thisHost = '(invalid AGENTPR_HOST_ID)';
  }
  let localDir: string | null;
  try {
    localDir = localWorkspaceDir(ctx, run);
  } catch {
    localDir = null;
  }
  return {
    this_host: thisHost,
    lease: live ? { host: origin?.host ?? null, pid: origin?.pid ?? null, holder: live.holder, expires_at: live.expires_at } : null,
    workspace_host: state.workspace_host ?? null,
    workspace_host_at: state.workspace_host_at ?? null,
    workspace_rel: run.workspace_rel,
    local_workspace_dir: localDir,
    created_workspace_dir: run.workspace_dir,
  };
}
