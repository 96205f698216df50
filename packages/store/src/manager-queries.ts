import { sql } from 'kysely';
import type { Db } from './schema.js';

/** States the manager may act on; every other state waits for a human or is terminal. */
export const MANAGER_WORKABLE_STATES: readonly string[] = Object.freeze([
  'QUEUED',
  'DISCOVERY',
  'PLAN_READY',
  'IMPLEMENTING',
  'ITERATING',
  'LOCAL_VALIDATING',
  'FAILED_RETRYABLE',
  'PUSHED',
  'CI_WAIT',
  'REVIEW_WAIT',
]);

/** The filter of {@link managerCandidateRuns}: ISO timestamps and a row limit. */
export interface CandidateFilter {
  /** Runs whose `next_attempt_at` is later than this are in backoff. */
  now: string;
  /** A GitHub-waiting run (CI_WAIT, REVIEW_WAIT) is due when its last sync is at or before this. */
  syncCutoff: string;
  limit: number;
  /**
   * This host's id (`resolveHostId`). With it, runs whose workspace this host holds come first, then runs no host
   * holds, then other hosts' runs: fewer workspace rebuilds. It only orders; every candidate stays a candidate.
   */
  hostId?: string | undefined;
  /**
   * With `hostId`: another host's run whose state has not changed since this ISO timestamp ranks with the runs no
   * host holds, so the runs of a host that is gone never wait behind this host's own work for long. Default: never.
   */
  foreignStaleCutoff?: string | undefined;
}

/**
 * Runs that may need the manager now, least recently updated first: workable states only (runs waiting for a
 * human never take a slot), not in backoff, GitHub-waiting runs (CI_WAIT, REVIEW_WAIT, and PUSHED with a PR) only
 * when their sync is due, and a PUSHED run without a PR only while no PR request was made since its latest push
 * (once requested, it waits for a human). With `hostId`, the runs whose workspace is on this host rank first (see
 * {@link CandidateFilter}); nothing is pinned: the lease alone decides who works a run. The cost follows the number
 * of active runs, not all runs (partial index on non-terminal states).
 *
 * @example
 * const ids = await managerCandidateRuns(db, { now: iso(clock()), syncCutoff, limit: 20, hostId: resolveHostId(env) });
 */
export async function managerCandidateRuns(db: Db, filter: CandidateFilter): Promise<string[]> {
  const query = db
    .selectFrom('run_states as s')
    .innerJoin('runs as r', 'r.run_id', 's.run_id')
    .leftJoin('manager_runs as m', 'm.run_id', 's.run_id')
    .select('s.run_id')
    // Literal, not bound, so SQLite can use the partial index on non-terminal runs.
    .where(sql<boolean>`s.current_state not in ('DONE', 'SKIPPED', 'FAILED_TERMINAL')`)
    .where('s.current_state', 'in', [...MANAGER_WORKABLE_STATES])
    .where((eb) => eb.or([eb('m.next_attempt_at', 'is', null), eb('m.next_attempt_at', '<=', filter.now)]))
    .where((eb) => {
      const syncDue = eb.or([eb('m.last_sync_at', 'is', null), eb('m.last_sync_at', '<=', filter.syncCutoff)]);
      const lastPush = eb
        .selectFrom('artifacts as a')
        .select((a) => a.fn.max('a.created_at').as('pushed_at'))
        .whereRef('a.run_id', '=', 's.run_id')
        .where('a.artifact_type', '=', 'branch');
      const requestedSincePush = eb.exists(
        eb.selectFrom('pr_requests as q').select('q.id').whereRef('q.run_id', '=', 's.run_id').where('q.created_at', '>=', lastPush),
      );
      return eb.or([
        eb('s.current_state', 'not in', ['CI_WAIT', 'REVIEW_WAIT', 'PUSHED']),
        eb.and([eb('s.current_state', 'in', ['CI_WAIT', 'REVIEW_WAIT']), syncDue]),
        eb.and([eb('s.current_state', '=', 'PUSHED'), eb('r.pr_number', 'is not', null), syncDue]),
        eb.and([eb('s.current_state', '=', 'PUSHED'), eb('r.pr_number', 'is', null), eb.not(requestedSincePush)]),
      ]);
    });
  const { hostId, foreignStaleCutoff } = filter;
  const ranked = hostId === undefined ? query : query.orderBy((eb) => {
    // Literals, not bound parameters: PostgreSQL cannot type a parameter that only a CASE branch holds.
    const rank = eb.case().when('s.workspace_host', '=', hostId).then(eb.lit(0)).when('s.workspace_host', 'is', null).then(eb.lit(1));
    return (foreignStaleCutoff === undefined ? rank : rank.when('s.updated_at', '<=', foreignStaleCutoff).then(eb.lit(1))).else(eb.lit(2)).end();
  }, 'asc');
  const rows = await ranked.orderBy('s.updated_at', 'asc').orderBy('s.run_id', 'asc').limit(filter.limit).execute();
  return rows.map((r) => r.run_id);
}

/**
 * When a human (operator or bot) last commanded the run, its creation excepted; `''` when never. The manager's
 * failure budgets count from there, so a human retry gives the run a fresh budget.
 */
export async function lastHumanCommandAt(db: Db, runId: string): Promise<string> {
  const row = await db
    .selectFrom('events')
    .select('created_at')
    .where('run_id', '=', runId)
    .where('actor', 'in', ['operator', 'bot'])
    .where('event_type', '!=', 'command.run.create')
    .orderBy('event_id', 'desc')
    .executeTakeFirst();
  return row?.created_at ?? '';
}

/** How many retries the manager itself applied to the run at or after `since` (an ISO timestamp). */
export async function managerRetriesSince(db: Db, runId: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('run_id', '=', runId)
    .where('actor', '=', 'manager')
    .where('event_type', '=', 'command.retry')
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The newest event, attempt and artefact ids of a run (0 when none). */
export interface RunActivityMarks {
  eventId: number;
  attemptId: number;
  artifactId: number;
}

/**
 * The ids of the run's newest event, step attempt and artefact: together they change whenever anything the
 * manager reads about the run changes.
 */
export async function runActivityMarks(db: Db, runId: string): Promise<RunActivityMarks> {
  const [event, attempt, artifact] = await Promise.all([
    db.selectFrom('events').select('event_id').where('run_id', '=', runId).orderBy('event_id', 'desc').executeTakeFirst(),
    db.selectFrom('step_attempts').select('id').where('run_id', '=', runId).orderBy('id', 'desc').executeTakeFirst(),
    db.selectFrom('artifacts').select('id').where('run_id', '=', runId).orderBy('id', 'desc').executeTakeFirst(),
  ]);
  return { eventId: Number(event?.event_id ?? 0), attemptId: Number(attempt?.id ?? 0), artifactId: Number(artifact?.id ?? 0) };
}
