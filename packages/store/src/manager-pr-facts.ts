import type { Db } from './schema.js';

/** The PR request the manager knows for a run's pushed head. */
export interface HeadPrRequest {
  id: number;
  request_file: string;
  head_sha: string;
  created_at: string;
  expires_at: string;
  /** When an approval consumed it; null while it waits. */
  consumed_at: string | null;
}

/**
 * The PR linked to the run (`runs.pr_number`) when the store knows of no close of it, else null. A close recorded
 * as a `github.pull_request.closed` event (merged or not, applied or held) means the PR no longer takes pushes.
 *
 * @example
 * const pr = await linkedOpenPr(db, 'run_1'); // 12, or null when the run has no PR or it was closed
 */
export async function linkedOpenPr(db: Db, runId: string): Promise<number | null> {
  const run = await db.selectFrom('runs').select('pr_number').where('run_id', '=', runId).executeTakeFirst();
  const pr = run?.pr_number === null || run?.pr_number === undefined ? null : Number(run.pr_number);
  if (pr === null) return null;
  const closes = await db
    .selectFrom('events')
    .select('payload_json')
    .where('run_id', '=', runId)
    .where('event_type', '=', 'github.pull_request.closed')
    .execute();
  return closes.some((row) => closedPrNumber(row.payload_json) === pr) ? null : pr;
}

function closedPrNumber(payload: string): number | null {
  try {
    const value = (JSON.parse(payload) as { pr_number?: unknown }).pr_number;
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}

/**
 * The run's newest PR-open request bound to `headSha` (case-insensitive), or undefined: a request for an older head
 * does not count, so a new push asks for a new request.
 */
export async function prRequestForHead(db: Db, runId: string, headSha: string): Promise<HeadPrRequest | undefined> {
  const row = await db
    .selectFrom('pr_requests')
    .select(['id', 'request_file', 'head_sha', 'created_at', 'expires_at', 'consumed_at'])
    .where('run_id', '=', runId)
    .where('head_sha', '=', headSha.toLowerCase())
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? { ...row, id: Number(row.id) } : undefined;
}
