import { sql, type Kysely, type Migration } from 'kysely';
import { isRunState, resolveEvent, type RunEvent, type RunSnapshot, type RunState } from '@agentpr/state-machine';

/**
 * The dashboard (issue 18) reads over 100k runs without sorting a whole history:
 * - `run_states.last_verdict`: the grade (PASS / RETRYABLE / HUMAN_REVIEW) of the run's newest graded attempt, kept
 *   by `recordAttempt` and `setAttemptVerdict` in the same transaction; backfilled here from `step_attempts`.
 * - `events.from_state` / `events.to_state`: the run's state before and after an applied event (both null when it
 *   was stored without effect), set by both event writers; backfilled here by replaying each run's applied events
 *   through the state machine (see {@link backfillEventStates}). Runs by state over time are counted from the state
 *   changes, read from the partial index `idx_events_state_changes` (only events that moved a run are in it).
 * - indexes for each sort of the runs page and the verdict filter, each ending in `run_id` (the keyset tie-breaker).
 * - `idx_webhook_deliveries_received` also holds `outcome`, so deliveries over time are counted from the index alone.
 */
export function dashboardMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('run_states').addColumn('last_verdict', 'text').execute();
      await sql`update run_states set last_verdict = (
        select a.grade from step_attempts a where a.run_id = run_states.run_id and a.grade is not null order by a.id desc limit 1)`.execute(db);
      await db.schema.createIndex('idx_run_states_verdict_updated').on('run_states').columns(['last_verdict', 'updated_at', 'run_id']).execute();
      await db.schema.createIndex('idx_runs_created').on('runs').columns(['created_at', 'run_id']).execute();
      await db.schema.createIndex('idx_runs_repo_run').on('runs').columns(['owner_key', 'repo_key', 'run_id']).execute();
      await db.schema.alterTable('events').addColumn('from_state', 'text').execute();
      await db.schema.alterTable('events').addColumn('to_state', 'text').execute();
      await backfillEventStates(db);
      await db.schema
        .createIndex('idx_events_state_changes')
        .on('events')
        .columns(['created_at', 'from_state', 'to_state'])
        .where(sql<boolean>`from_state is not null and to_state <> from_state`)
        .execute();
      await db.schema.dropIndex('idx_webhook_deliveries_received').execute();
      await db.schema.createIndex('idx_webhook_deliveries_received').on('webhook_deliveries').columns(['source', 'received_at', 'outcome']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('idx_webhook_deliveries_received').execute();
      await db.schema.createIndex('idx_webhook_deliveries_received').on('webhook_deliveries').columns(['source', 'received_at']).execute();
      await db.schema.dropIndex('idx_events_state_changes').execute();
      await db.schema.alterTable('events').dropColumn('to_state').execute();
      await db.schema.alterTable('events').dropColumn('from_state').execute();
      await db.schema.dropIndex('idx_runs_repo_run').execute();
      await db.schema.dropIndex('idx_runs_created').execute();
      await db.schema.dropIndex('idx_run_states_verdict_updated').execute();
      await db.schema.alterTable('run_states').dropColumn('last_verdict').execute();
    },
  };
}

const RUNS_PER_CHUNK = 500;
const IDS_PER_UPDATE = 500;

/**
 * Sets `from_state` and `to_state` on every applied event written before this migration: each run's applied events
 * are replayed in order from QUEUED (its `command.run.create`, which keeps neither, as `createRuns` writes it)
 * through `resolveEvent`. An event the replay cannot apply (a payload from an older build, facts it cannot see again
 * such as a pushed head) keeps the state before it, and the run's last applied event after its creation always ends
 * in the run's current state, so the history ends where the run is.
 */
export async function backfillEventStates(db: Kysely<any>): Promise<void> {
  let after = '';
  for (;;) {
    const runs = (await db
      .selectFrom('run_states')
      .select(['run_id', 'current_state'])
      .where('run_id', '>', after)
      .orderBy('run_id')
      .limit(RUNS_PER_CHUNK)
      .execute()) as Array<{ run_id: string; current_state: string }>;
    if (runs.length === 0) return;
    after = runs.at(-1)!.run_id;
    const events = (await db
      .selectFrom('events')
      .select(['event_id', 'run_id', 'event_type', 'payload_json'])
      .where('applied', '=', 1)
      .where('run_id', 'in', runs.map((r) => r.run_id))
      .orderBy('run_id')
      .orderBy('event_id')
      .execute()) as ReplayedEvent[];
    const current = new Map(runs.map((r) => [r.run_id, r.current_state]));
    const byMove = new Map<string, number[]>();
    let start = 0;
    while (start < events.length) {
      let end = start;
      while (end < events.length && events[end]!.run_id === events[start]!.run_id) end++;
      const moves = replay(events.slice(start, end));
      const finalState = current.get(events[start]!.run_id);
      const last = moves[moves.length - 1]!;
      if (finalState !== undefined && last[0] !== null) last[1] = finalState;
      for (let i = start; i < end; i++) {
        const key = JSON.stringify(moves[i - start]);
        const ids = byMove.get(key) ?? [];
        ids.push(Number(events[i]!.event_id));
        byMove.set(key, ids);
      }
      start = end;
    }
    for (const [key, ids] of byMove) {
      const [from, to] = JSON.parse(key) as [string | null, string | null];
      if (to === null) continue;
      for (let i = 0; i < ids.length; i += IDS_PER_UPDATE) {
        await db.updateTable('events').set({ from_state: from, to_state: to }).where('event_id', 'in', ids.slice(i, i + IDS_PER_UPDATE)).execute();
      }
    }
  }
}

interface ReplayedEvent {
  event_id: number | string;
  run_id: string;
  event_type: string;
  payload_json: string;
}

/** The state before and after each of one run's applied events, in order (neither for its creation, as `createRuns` writes it). */
function replay(events: readonly ReplayedEvent[]): Array<[RunState | null, string | null]> {
  const queued: RunSnapshot = { state: 'QUEUED', lastError: null, lastActiveState: null, heldFacts: null };
  let snapshot = queued;
  return events.map((row) => {
    if (row.event_type === 'command.run.create') {
      snapshot = queued;
      return [null, null];
    }
    const from = snapshot.state;
    try {
      const payload = JSON.parse(row.payload_json) as Record<string, unknown>;
      const resolution = resolveEvent(snapshot, { ...payload, type: row.event_type } as RunEvent, { runId: row.run_id });
      if (resolution.outcome === 'applied' && isRunState(resolution.next.state)) snapshot = resolution.next;
    } catch {
      // An event this build cannot read keeps the state before it.
    }
    return [from, snapshot.state];
  });
}
