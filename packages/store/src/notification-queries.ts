import type { Db } from './schema.js';

/** Where the notifier stopped reading run state changes: `runs.updated_at`, then `run_id` among equal times. */
export interface StateChangeCursor {
  at: string;
  run_id: string;
}

/** A run whose state changed into one the humans hear about. */
export interface ChangedRun {
  run_id: string;
  owner: string;
  repo: string;
  pr_number: number | null;
  updated_at: string;
  current_state: string;
  last_error: string | null;
  last_active_state: string | null;
}

/** A PR-open request as the notifier announces it. */
export interface AnnouncedPrRequest {
  id: number;
  run_id: string;
  base: string;
  head: string;
  expires_at: string;
  consumed_at: string | null;
  owner: string;
  repo: string;
  current_state: string;
}

/**
 * Runs now in one of `states` whose last change (`runs.updated_at`, which moves only when the state or the PR number
 * changes) is after `cursor`, oldest first, at most `limit`.
 */
export async function runsChangedSince(db: Db, cursor: StateChangeCursor, states: readonly string[], limit: number): Promise<ChangedRun[]> {
  const rows = await db
    .selectFrom('runs')
    .innerJoin('run_states', 'run_states.run_id', 'runs.run_id')
    .select([
      'runs.run_id',
      'runs.owner',
      'runs.repo',
      'runs.pr_number',
      'runs.updated_at',
      'run_states.current_state',
      'run_states.last_error',
      'run_states.last_active_state',
    ])
    .where('run_states.current_state', 'in', [...states])
    .where((eb) => eb.or([eb('runs.updated_at', '>', cursor.at), eb.and([eb('runs.updated_at', '=', cursor.at), eb('runs.run_id', '>', cursor.run_id)])]))
    .orderBy('runs.updated_at', 'asc')
    .orderBy('runs.run_id', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, pr_number: r.pr_number === null ? null : Number(r.pr_number) }));
}

/** The newest PR-open request id, 0 when there is none. */
export async function newestPrRequestId(db: Db): Promise<number> {
  const newest = await db.selectFrom('pr_requests').select('id').orderBy('id', 'desc').executeTakeFirst();
  return newest ? Number(newest.id) : 0;
}

/** PR-open requests with an id above `afterId`, oldest first, at most `limit`, with their run's repository and state. */
export async function prRequestsAfter(db: Db, afterId: number, limit: number): Promise<AnnouncedPrRequest[]> {
  const rows = await db
    .selectFrom('pr_requests')
    .innerJoin('runs', 'runs.run_id', 'pr_requests.run_id')
    .innerJoin('run_states', 'run_states.run_id', 'pr_requests.run_id')
    .select(['pr_requests.id', 'pr_requests.run_id', 'pr_requests.base', 'pr_requests.head', 'pr_requests.expires_at', 'pr_requests.consumed_at', 'runs.owner', 'runs.repo', 'run_states.current_state'])
    .where('pr_requests.id', '>', afterId)
    .orderBy('pr_requests.id', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Whether the run has a PR-open request newer than `id` (the older one is superseded). */
export async function hasNewerPrRequest(db: Db, runId: string, id: number): Promise<boolean> {
  return (await db.selectFrom('pr_requests').select('id').where('run_id', '=', runId).where('id', '>', id).executeTakeFirst()) !== undefined;
}

/**
 * The newest event id, or null in an empty store. It moves with every state change and every new run (each inserts an
 * event in the same transaction), so a reader can tell in one primary-key probe whether anything changed.
 */
export async function newestEventId(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('event_id').as('id'))
    .executeTakeFirst();
  return row?.id === null || row?.id === undefined ? null : Number(row.id);
}
