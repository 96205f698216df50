import { latestArtifact, latestPrRequest, getRun, type PrRequestRow } from '@agentpr/store';
import type { AppContext } from '../context.js';

/**
 * Whether a PR request can still be approved: `open`, or why not — `used` (approved or rejected), `replaced` (a
 * newer request of the run exists), `stale` (the run is no longer PUSHED at the requested head: it pushed again or
 * moved on), `expired`. Checked in this order, so a used request reads `used` whatever else changed.
 */
export type PrRequestStatus = 'open' | 'used' | 'replaced' | 'stale' | 'expired';

/** The head SHA the run recorded for its latest push (the `branch` artefact), lower-cased; null when none. */
export async function recordedPushSha(ctx: Pick<AppContext, 'db'>, runId: string): Promise<string | null> {
  const branch = await latestArtifact(ctx.db, runId, 'branch');
  const sha = branch?.metadata.sha;
  return typeof sha === 'string' && sha.trim() ? sha.trim().toLowerCase() : null;
}

/**
 * The status of `request` now (see {@link PrRequestStatus}), read from the store only: no git, no GitHub. The
 * approval itself re-checks the fork branch under the run lease.
 *
 * @example
 * if ((await prRequestStatus(ctx, row)) === 'open') showApproveButton();
 */
export async function prRequestStatus(ctx: Pick<AppContext, 'db' | 'clock'>, request: PrRequestRow): Promise<PrRequestStatus> {
  if (request.consumed_at !== null) return 'used';
  const newest = await latestPrRequest(ctx.db, request.run_id);
  if (newest && newest.id !== request.id) return 'replaced';
  const found = await getRun(ctx.db, request.run_id);
  if (found?.state.current_state !== 'PUSHED') return 'stale';
  const pushed = await recordedPushSha(ctx, request.run_id);
  if (pushed !== null && pushed !== request.head_sha.toLowerCase()) return 'stale';
  const expires = Date.parse(request.expires_at);
  if (!Number.isFinite(expires) || ctx.clock().getTime() > expires) return 'expired';
  return 'open';
}
