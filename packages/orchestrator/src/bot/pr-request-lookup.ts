import { latestArtifact, latestPrRequest } from '@agentpr/store';
import type { AppContext } from '../context.js';

/** A run's newest PR-open request, as the bot shows and approves it. */
export interface PrRequestView {
  requestFile: string;
  base: string | undefined;
  head: string | undefined;
  expiresAt: string | undefined;
  consumed: boolean;
}

/**
 * The run's newest PR-open request: the `pr_requests` row when the store has one, else the latest
 * `pr_open_request` artefact. `undefined` when the run never asked to open a PR.
 */
export async function findLatestPrRequest(ctx: AppContext, runId: string): Promise<PrRequestView | undefined> {
  const row = await latestPrRequest(ctx.db, runId);
  if (row) {
    return { requestFile: row.request_file, base: row.base, head: row.head, expiresAt: row.expires_at, consumed: row.consumed_at !== null };
  }
  const artifact = await latestArtifact(ctx.db, runId, 'pr_open_request');
  if (!artifact) return undefined;
  const meta = artifact.metadata;
  const text = (key: string) => (typeof meta[key] === 'string' ? (meta[key] as string) : undefined);
  return { requestFile: artifact.uri, base: text('base'), head: text('head'), expiresAt: text('expires_at'), consumed: text('consumed_at') !== undefined };
}
