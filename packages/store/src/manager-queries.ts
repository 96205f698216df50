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

/** The filter of {@link managerCandidates}: ISO timestamps, a row limit and this host's id. */
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
 * Where a candidate's workspace is, as {@link managerCandidates} ranks it: 0 on this host, 1 on no host (or on
 * another host but unchanged since `foreignStaleCutoff`), 2 on another host. Always 1 without a `hostId`.
 */
export type CandidateRank = 0 | 1 | 2;

/** One run {@link managerCandidates} returns, with its {@link CandidateRank}. */
export interface Candidate {
  runId: string;
  rank: CandidateRank;
}

/**
 * Runs that may need the manager now, least recently updated first: workable states only (runs waiting for a
 * human never take a slot), not in backoff, GitHub-waiting runs (CI_WAIT, REVIEW_WAIT, and PUSHED with a PR) only
 * when their sync is due, and a PUSHED run without a PR only while no PR request was made since its latest push
 * (once requested, it waits for a human). With `hostId`, ordered by {@link CandidateRank} first, so the runs whose
 * workspace is on this host come first; nothing is pinned: the lease alone decides who works a run. The cost follows
 * the number of active runs, not all runs (partial index on non-terminal states).
 *
 * @example
 * const runs = await managerCandidates(db, { now: iso(clock()), syncCutoff, limit: 20, hostId: resolveHostId(env) });
 */
export async function managerCandidates(db: Db, filter: CandidateFilter): Promise<Candidate[]> {
  const { hostId, foreignStaleCutoff } = filter;
  const rows = await db
    .selectFrom('run_states as s')
    .innerJoin('runs as r', 'r.run_id', 's.run_id')
    .leftJoin('manager_runs as m', 'm.run_id', 's.run_id')
    .select('s.run_id')
    .select((eb) => {
      // Literals, not bound parameters: PostgreSQL cannot type a parameter that only a CASE branch holds.
      if (hostId === undefined) return eb.lit(1).as('rank');
      const rank = eb.case().when('s.workspace_host', '=', hostId).then(eb.lit(0)).when('s.workspace_host', 'is', null).then(eb.lit(1));
      return (foreignStaleCutoff === undefined ? rank : rank.when('s.updated_at', '<=', foreignStaleCutoff).then(eb.lit(1))).else(eb.lit(2)).end().as('rank');
    })
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
    })
    .orderBy('rank', 'asc')
    .orderBy('s.updated_at', 'asc')
    .orderBy('s.run_id', 'asc')
    .limit(filter.limit)
    .execute();
  return rows.map((r) => ({ runId: r.run_id, rank: Number(r.rank) as CandidateRank }));
}

/**
 * The {@link CandidateRank} of one run now, by the same rule as {@link managerCandidates} (1 for an unknown run):
 * for a manager that read its candidates a while ago, since another host may have taken one of them since.
 *
 * @example
 * if ((await candidateRankNow(db, runId, { hostId, foreignStaleCutoff })) === 2) continue; // another host's now
 */
export async function candidateRankNow(db: Db, runId: string, filter: Pick<CandidateFilter, 'hostId' | 'foreignStaleCutoff'>): Promise<CandidateRank> {
  if (filter.hostId === undefined) return 1;
  const row = await db.selectFrom('run_states').select(['workspace_host', 'updated_at']).where('run_id', '=', runId).executeTakeFirst();
  if (!row || row.workspace_host === null) return 1;
  if (row.workspace_host === filter.hostId) return 0;
  return filter.foreignStaleCutoff !== undefined && row.updated_at <= filter.foreignStaleCutoff ? 1 : 2;
}

/**
 * The run ids of {@link managerCandidates}, in its order.
 *
 * @example
 * const ids = await managerCandidateRuns(db, { now: iso(clock()), syncCutoff, limit: 20 });
 */
export async function managerCandidateRuns(db: Db, filter: CandidateFilter): Promise<string[]> {
  return (await managerCandidates(db, filter)).map((c) => c.runId);
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
