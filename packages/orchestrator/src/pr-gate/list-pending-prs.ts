import { pendingPrRequests } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { prRequestStatus, type PrRequestStatus } from './request-status.js';

/** One PR request waiting for a human: what `pending-prs` lists. */
export interface PendingPr {
  run_id: string;
  owner: string;
  repo: string;
  request_id: number;
  request_file: string;
  title: string;
  base: string;
  head: string;
  head_sha: string;
  created_at: string;
  expires_at: string;
  /** `open` (approvable), `expired`, or `stale` (the run pushed again since: re-issue it). */
  status: Extract<PrRequestStatus, 'open' | 'expired' | 'stale'>;
  /** What to run next: approve (open) or re-issue (expired, stale). */
  next_command: string;
}

/** The answer of {@link listPendingPrs}. */
export interface PendingPrList {
  kind: 'pending_prs';
  requests: PendingPr[];
}

/**
 * The newest open PR request of each PUSHED run, newest first, with whether it can still be approved. An expired or
 * stale request is listed with the command that re-issues it; used and replaced requests are not listed.
 *
 * @example
 * const { requests } = await listPendingPrs(ctx, { limit: 20 });
 */
export async function listPendingPrs(ctx: AppContext, options: { limit: number }): Promise<PendingPrList> {
  const rows = await pendingPrRequests(ctx.db, options);
  const requests: PendingPr[] = [];
  for (const row of rows) {
    const status = await prRequestStatus(ctx, row);
    if (status === 'used' || status === 'replaced') continue; // changed between the two reads
    const next_command =
      status === 'open'
        ? `agentpr approve-open-pr --run-id ${row.run_id} --request-file ${row.request_file} --confirm-token TOKEN --confirm (or approve the card in Telegram)`
        : `agentpr request-open-pr --run-id ${row.run_id}`;
    const { run_id, owner, repo, id, request_file, title, base, head, head_sha, created_at, expires_at } = row;
    requests.push({ run_id, owner, repo, request_id: id, request_file, title, base, head, head_sha, created_at, expires_at, status, next_command });
  }
  return { kind: 'pending_prs', requests };
}
