import type { Db, NewPrRequest, PrRequestRow } from './schema.js';

function normalise(row: PrRequestRow): PrRequestRow {
  return { ...row, id: Number(row.id), draft: Number(row.draft) };
}

/** Stores a PR-open request (the confirm token only as its SHA-256); returns the row. */
export async function insertPrRequest(db: Db, request: Omit<NewPrRequest, 'id'>): Promise<PrRequestRow> {
  const row = await db.insertInto('pr_requests').values(request).returningAll().executeTakeFirstOrThrow();
  return normalise(row);
}

/** The request a run made with this request file, or `undefined`. */
export async function getPrRequestByFile(db: Db, runId: string, requestFile: string): Promise<PrRequestRow | undefined> {
  const row = await db
    .selectFrom('pr_requests')
    .selectAll()
    .where('run_id', '=', runId)
    .where('request_file', '=', requestFile)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? normalise(row) : undefined;
}

/** The run's newest request, or `undefined`. */
export async function latestPrRequest(db: Db, runId: string): Promise<PrRequestRow | undefined> {
  const row = await db.selectFrom('pr_requests').selectAll().where('run_id', '=', runId).orderBy('id', 'desc').executeTakeFirst();
  return row ? normalise(row) : undefined;
}

/**
 * Marks a request consumed if nobody did before and it is still its run's newest request: one conditional
 * update, so of two concurrent approvals only one gets `true` (single use), and a request superseded by a
 * newer one of the same run can never be consumed (issue 13), even when the newer one lands mid-approval.
 */
export async function consumePrRequest(db: Db, id: number, consumedAt: string): Promise<boolean> {
  const result = await db
    .updateTable('pr_requests')
    .set({ consumed_at: consumedAt })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('pr_requests as newer').select('newer.id').whereRef('newer.run_id', '=', 'pr_requests.run_id').whereRef('newer.id', '>', 'pr_requests.id'))),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The request with this id, or `undefined`. */
export async function getPrRequest(db: Db, id: number): Promise<PrRequestRow | undefined> {
  const row = await db.selectFrom('pr_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? normalise(row) : undefined;
}

/** A run's newest open PR request with the run's repository (what `pending-prs` and the inbox list). */
export interface PendingPrRequest extends PrRequestRow {
  owner: string;
  repo: string;
}

/**
 * The newest unconsumed request of every run that is PUSHED, newest request first, at most `limit`. A request
 * that a newer one of its run replaced is never listed (only the newest can be approved).
 */
export async function pendingPrRequests(db: Db, options: { limit: number }): Promise<PendingPrRequest[]> {
  const rows = await db
    .selectFrom('pr_requests')
    .innerJoin('runs', 'runs.run_id', 'pr_requests.run_id')
    .innerJoin('run_states', 'run_states.run_id', 'pr_requests.run_id')
    .selectAll('pr_requests')
    .select(['runs.owner', 'runs.repo'])
    .where('run_states.current_state', '=', 'PUSHED')
    .where('pr_requests.consumed_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('pr_requests as newer').select('newer.id').whereRef('newer.run_id', '=', 'pr_requests.run_id').whereRef('newer.id', '>', 'pr_requests.id'))),
    )
    .orderBy('pr_requests.id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({ ...normalise(r), owner: r.owner, repo: r.repo }));
}
