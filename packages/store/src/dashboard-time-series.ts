import { sql } from 'kysely';
import { RUN_STATES, isRunState, type RunState } from '@agentpr/state-machine';
import { bucketStart, bucketWindow } from './dashboard-buckets.js';
import type { DeliveryBucket, StateCountsBucket, StateDuration, TimeBucketQuery } from './dashboard-queries.js';
import { StoreError } from './errors.js';
import type { Db } from './schema.js';

/**
 * An applied event's resulting state: its `to_state`, or QUEUED for `command.run.create`, which the run's creation
 * stores already applied without passing through the event writers that set `to_state`.
 */
const TO_STATE = (alias: string) => sql.raw(`coalesce(${alias}.to_state, case when ${alias}.event_type = 'command.run.create' then 'QUEUED' end)`);

/**
 * Runs by state at the end of each bucket, from the state changes of applied events (`events.from_state` →
 * `to_state`) and run creations (QUEUED). Read backwards from now, in one statement: the counts of the runs' current
 * states, less the changes since the first bucket started, then those changes added back bucket by bucket. The cost
 * follows the state changes since the window opened (read from `idx_events_state_changes`), not the whole history.
 * A run counts from its creation; `campaign` counts that campaign's runs only.
 *
 * @example
 * await runStatesOverTime(db, { since: '2026-11-01T00:00:00Z', until: now, bucket: 'day' });
 * // → [{ start: '2026-11-01T00:00:00.000Z', counts: { QUEUED: 40, IMPLEMENTING: 3 } }, …]
 */
export async function runStatesOverTime(db: Db, query: TimeBucketQuery): Promise<StateCountsBucket[]> {
  const window = bucketWindow(query);
  const n = sql.lit(window.keyLength);
  const c = query.campaign;
  const changes =
    c === undefined
      ? sql`select substr(e.created_at, 1, ${n}) as b, e.from_state, e.to_state, count(*) as n from events e
          where e.from_state is not null and e.to_state <> e.from_state and e.created_at >= ${window.start}
          group by substr(e.created_at, 1, ${n}), e.from_state, e.to_state`
      : sql`select substr(e.created_at, 1, ${n}) as b, e.from_state, e.to_state, count(*) as n from events e join run_states s on s.run_id = e.run_id
          where e.from_state is not null and e.to_state <> e.from_state and e.created_at >= ${window.start} and s.campaign = ${c}
          group by substr(e.created_at, 1, ${n}), e.from_state, e.to_state`;
  const rows = await sql<{ b: string | null; from_state: string | null; to_state: string; n: number | string }>`
    ${changes}
    union all
    select substr(r.created_at, 1, ${n}) as b, null as from_state, 'QUEUED' as to_state, count(*) as n from runs r
    where r.created_at >= ${window.start} ${c === undefined ? sql`` : sql`and r.campaign = ${c}`}
    group by substr(r.created_at, 1, ${n})
    union all
    select null as b, null as from_state, s.current_state as to_state, count(*) as n from run_states s
    ${c === undefined ? sql`` : sql`where s.campaign = ${c}`}
    group by s.current_state
  `.execute(db);
  const now = new Map<string, number>();
  const moves = new Map<string, Map<string, number>>();
  for (const row of rows.rows) {
    const count = Number(row.n);
    if (row.b === null) {
      add(now, row.to_state, count);
      continue;
    }
    const move = moves.get(row.b) ?? new Map<string, number>();
    moves.set(row.b, move);
    add(move, row.to_state, count);
    if (row.from_state !== null) add(move, row.from_state, -count);
  }
  // The counts before the first bucket: now, less every change since.
  const counts = new Map(now);
  for (const move of moves.values()) for (const [state, count] of move) add(counts, state, -count);
  return window.keys.map((key) => {
    for (const [state, count] of moves.get(key) ?? []) add(counts, state, count);
    return { start: bucketStart(key), counts: stateCounts(counts) };
  });
}

function add(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function stateCounts(counts: ReadonlyMap<string, number>): Partial<Record<RunState, number>> {
  const out: Partial<Record<RunState, number>> = {};
  for (const state of RUN_STATES) {
    const n = counts.get(state) ?? 0;
    if (n > 0) out[state] = n;
  }
  return out;
}

/** The most runs {@link timeInStates} reads. */
export const TIME_IN_STATES_MAX_RUNS = 5_000;

/**
 * Time per stage (state) across recent runs: the `limit` (default 500) most recently updated runs updated since
 * `since` (of `campaign`, when given). A stay in a state runs from the applied event that moved the run into it to
 * the applied event that moved it out; only completed stays count, so the time a run has spent in its current
 * state so far is not included. Per state: how many runs stayed in it, their total time, and the median and p90
 * of the time each run spent in it (all its stays there added up). States in pipeline order.
 */
export async function timeInStates(db: Db, query: { since: string; limit?: number; campaign?: string | undefined }): Promise<StateDuration[]> {
  const limit = query.limit ?? 500;
  if (!Number.isInteger(limit) || limit < 1 || limit > TIME_IN_STATES_MAX_RUNS) {
    throw new StoreError('invalid_input', `limit must be an integer from 1 to ${TIME_IN_STATES_MAX_RUNS}, got ${String(limit).slice(0, 20)}.`);
  }
  const since = Date.parse(query.since);
  if (!Number.isFinite(since)) throw new StoreError('invalid_input', `since must be an ISO time, got ${JSON.stringify(String(query.since).slice(0, 40))}.`);
  const campaign = query.campaign === undefined ? sql`` : sql`and s.campaign = ${query.campaign}`;
  const rows = await sql<{ run_id: string; created_at: string; to_state: string | null }>`
    select e.run_id, e.created_at, ${TO_STATE('e')} as to_state from events e
    where e.applied = 1 and e.run_id in (
      select s.run_id from run_states s where s.updated_at >= ${new Date(since).toISOString()} ${campaign}
      order by s.updated_at desc, s.run_id desc limit ${limit})
    order by e.run_id, e.event_id
  `.execute(db);
  const perState = new Map<RunState, number[]>();
  let runId: string | undefined;
  let stays = new Map<RunState, number>();
  let current: { state: RunState; since: number } | undefined;
  const closeRun = () => {
    for (const [state, ms] of stays) {
      const values = perState.get(state) ?? [];
      values.push(ms);
      perState.set(state, values);
    }
    stays = new Map();
    current = undefined;
  };
  for (const row of rows.rows) {
    if (row.run_id !== runId) {
      closeRun();
      runId = row.run_id;
    }
    if (row.to_state === null || !isRunState(row.to_state)) continue;
    const at = Date.parse(row.created_at);
    if (current && current.state !== row.to_state) stays.set(current.state, (stays.get(current.state) ?? 0) + Math.max(0, at - current.since));
    if (!current || current.state !== row.to_state) current = { state: row.to_state, since: at };
  }
  closeRun();
  return RUN_STATES.filter((state) => perState.has(state)).map((state) => {
    const values = perState.get(state)!.sort((a, b) => a - b);
    return { state, runs: values.length, total_ms: values.reduce((a, b) => a + b, 0), median_ms: medianOf(values), p90_ms: nearestRank(values, 0.9) };
  });
}

/** The median of ascending `values`, truncated to whole milliseconds. */
function medianOf(values: readonly number[]): number {
  const mid = Math.floor(values.length / 2);
  return Math.trunc(values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2);
}

/** The nearest-rank percentile `p` (0..1) of ascending `values`. */
function nearestRank(values: readonly number[], p: number): number {
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil(p * values.length) - 1))]!;
}

/**
 * Webhook deliveries received in each bucket, by outcome (a delivery still being processed, with no outcome yet,
 * is `pending`); `source` defaults to `github`. One grouped read of the covering index `idx_webhook_deliveries_received` (source, received_at, outcome).
 */
export async function webhookDeliveriesOverTime(db: Db, query: Omit<TimeBucketQuery, 'campaign'> & { source?: string | undefined }): Promise<DeliveryBucket[]> {
  const window = bucketWindow(query);
  const rows = await sql<{ b: string; outcome: string; n: number | string }>`
    select substr(received_at, 1, ${sql.lit(window.keyLength)}) as b, coalesce(outcome, 'pending') as outcome, count(*) as n
    from webhook_deliveries
    where source = ${query.source ?? 'github'} and received_at >= ${window.start} and received_at < ${window.end}
    group by substr(received_at, 1, ${sql.lit(window.keyLength)}), coalesce(outcome, 'pending')
  `.execute(db);
  const byKey = new Map<string, Map<string, number>>();
  for (const row of rows.rows) {
    const outcomes = byKey.get(row.b) ?? new Map<string, number>();
    byKey.set(row.b, outcomes);
    add(outcomes, row.outcome, Number(row.n));
  }
  return window.keys.map((key) => {
    const outcomes = byKey.get(key) ?? new Map<string, number>();
    return { start: bucketStart(key), total: [...outcomes.values()].reduce((a, b) => a + b, 0), by_outcome: Object.fromEntries(outcomes) };
  });
}
