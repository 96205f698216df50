import { sql } from 'kysely';
import { RUN_STATES, type RunState } from '@agentpr/state-machine';
import { decodeCursor, encodeCursor, type PageCursor } from './dashboard-cursor.js';
import { StoreError } from './errors.js';
import type { Db } from './schema.js';

// The dashboard's read queries (issue 18): the runs page here, the time series in dashboard-time-series.ts.

/** How the runs page orders runs; every order ends with `run_id` so keyset pages never skip or repeat a run. */
export type RunSort = 'updated' | 'created' | 'repo' | 'state';

/** A runs-page request: filters (all must match), order, page size and the cursor of the page before. */
export interface RunPageQuery {
  /** Any of these states. */
  states?: readonly RunState[] | undefined;
  /** The repository owner (case-insensitive, as GitHub); with `repo`, one repository. */
  owner?: string | undefined;
  repo?: string | undefined;
  /** The exact campaign name. */
  campaign?: string | undefined;
  /** The grade of the run's newest graded attempt; `none`: runs without one. */
  verdict?: 'PASS' | 'RETRYABLE' | 'HUMAN_REVIEW' | 'none' | undefined;
  /** Default `updated`. */
  sort?: RunSort | undefined;
  /** Default `desc` (newest first; for `repo` and `state`, `asc` reads A→Z). */
  direction?: 'asc' | 'desc' | undefined;
  /** 1..200. */
  limit: number;
  /** {@link RunPage.next} of the page before; a cursor from another sort or a malformed one is a `invalid_input` StoreError. */
  cursor?: string | undefined;
}

/** One row of the runs page. */
export interface RunPageRow {
  run_id: string;
  owner: string;
  repo: string;
  campaign: string | null;
  current_state: RunState;
  last_verdict: string | null;
  last_error: string | null;
  pr_number: number | null;
  created_at: string;
  updated_at: string;
}

/** A page of runs, the cursor of the next page (null on the last), and how many runs match the filters. */
export interface RunPage {
  rows: RunPageRow[];
  next: string | null;
  total: number;
}

/** The sort keys of each order, before the `run_id` tie-breaker; each order is read from one index ending in `run_id`. */
const SORT_KEYS: Record<RunSort, readonly SortColumn[]> = {
  updated: ['s.updated_at'],
  created: ['r.created_at'],
  repo: ['r.owner_key', 'r.repo_key'],
  state: ['s.current_state', 's.updated_at'],
};

type SortColumn = 's.updated_at' | 'r.created_at' | 'r.owner_key' | 'r.repo_key' | 's.current_state';

/** The page size a caller may ask for. */
export const RUN_PAGE_MAX_LIMIT = 200;

/**
 * The runs page: filtered, ordered from an index, one keyset page at a time (fast at 100k runs). Every order ends
 * with `run_id`, so walking `next` visits each matching run exactly once. `state` orders by state, then by update
 * time in the same direction. A bad `limit` or cursor is an `invalid_input` StoreError.
 *
 * @example
 * const first = await dashboardRunPage(db, { states: ['NEEDS_HUMAN_REVIEW'], limit: 50 });
 * const second = first.next ? await dashboardRunPage(db, { states: ['NEEDS_HUMAN_REVIEW'], limit: 50, cursor: first.next }) : undefined;
 */
export async function dashboardRunPage(db: Db, query: RunPageQuery): Promise<RunPage> {
  const sort = query.sort ?? 'updated';
  const direction = query.direction ?? 'desc';
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > RUN_PAGE_MAX_LIMIT) {
    throw new StoreError('invalid_input', `limit must be an integer from 1 to ${RUN_PAGE_MAX_LIMIT}, got ${String(query.limit).slice(0, 20)}.`);
  }
  if (!SORT_KEYS[sort]) throw new StoreError('invalid_input', 'sort must be one of updated, created, repo, state.');
  const keys = SORT_KEYS[sort];
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, { sort, direction, keys: keys.length });
  const reads = pageReads(query, sort);
  const lists: KeyedRow[][] = [];
  for (const state of reads) lists.push(await readPage(db, query, { sort, direction, state, after }));
  const rows = reads.length === 1 ? lists[0]! : mergeKeyed(lists, direction);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next = rows.length > query.limit && last ? encodeCursor({ sort, direction, key: keyOf(last, keys), runId: last.run_id }) : null;
  return { rows: page.map(toPageRow), next, total: await countMatching(db, query) };
}

interface KeyedRow extends RunPageRow {
  owner_key: string;
  repo_key: string;
}

/**
 * The ordered reads a page takes, one per state (`undefined`: one read). Ordered by update time, several states,
 * or a campaign without states or verdict, are read state by state from `(…, current_state, updated_at, run_id)`
 * indexes and merged, so no read sorts more than a page.
 */
function pageReads(query: RunPageQuery, sort: RunSort): Array<RunState | undefined> {
  const states = query.states ? [...new Set(query.states)] : undefined;
  if (states?.length === 0) return [];
  if (sort !== 'updated') return [undefined];
  if (states && states.length > 1) return states;
  if (!states && query.campaign !== undefined && query.verdict === undefined) return [...RUN_STATES];
  return [undefined];
}

function filtered(db: Db, query: RunPageQuery, state: RunState | undefined) {
  let q = db
    .selectFrom('run_states as s')
    .innerJoin('runs as r', 'r.run_id', 's.run_id')
    .select([
      'r.run_id',
      'r.owner',
      'r.repo',
      'r.owner_key',
      'r.repo_key',
      'r.campaign',
      's.current_state',
      's.last_verdict',
      's.last_error',
      'r.pr_number',
      'r.created_at',
      's.updated_at',
    ]);
  if (state !== undefined) q = q.where('s.current_state', '=', state);
  else if (query.states !== undefined) q = q.where('s.current_state', 'in', [...query.states]);
  if (query.owner !== undefined) q = q.where('r.owner_key', '=', query.owner.toLowerCase());
  if (query.repo !== undefined) q = q.where('r.repo_key', '=', query.repo.toLowerCase());
  if (query.campaign !== undefined) q = q.where('s.campaign', '=', query.campaign);
  if (query.verdict === 'none') q = q.where('s.last_verdict', 'is', null);
  else if (query.verdict !== undefined) q = q.where('s.last_verdict', '=', query.verdict);
  return q;
}

async function readPage(
  db: Db,
  query: RunPageQuery,
  at: { sort: RunSort; direction: 'asc' | 'desc'; state: RunState | undefined; after: PageCursor | undefined },
): Promise<KeyedRow[]> {
  const keys = SORT_KEYS[at.sort];
  // The tie-breaker comes from the table of the sort keys, so the read follows that table's index to the end.
  const tie = keys[0]!.startsWith('s.') ? 's.run_id' : 'r.run_id';
  let q = filtered(db, query, at.state);
  if (at.after) {
    const left = sql.join([...keys, tie].map((k) => sql.ref(k)));
    const right = sql.join([...at.after.key, at.after.runId]);
    q = q.where(at.direction === 'desc' ? sql<boolean>`(${left}) < (${right})` : sql<boolean>`(${left}) > (${right})`);
  }
  for (const k of keys) q = q.orderBy(k, at.direction);
  const rows = await q.orderBy(tie, at.direction).limit(query.limit + 1).execute();
  return rows as KeyedRow[];
}

async function countMatching(db: Db, query: RunPageQuery): Promise<number> {
  const states = query.states ? [...new Set(query.states)] : undefined;
  if (states?.length === 0) return 0;
  // The count joins runs only when a runs column is filtered on.
  const needsRuns = query.owner !== undefined || query.repo !== undefined;
  let q = needsRuns ? db.selectFrom('run_states as s').innerJoin('runs as r', 'r.run_id', 's.run_id') : db.selectFrom('run_states as s');
  if (states) q = q.where('s.current_state', 'in', states);
  if (query.owner !== undefined) q = q.where(sql.ref('r.owner_key'), '=', query.owner.toLowerCase());
  if (query.repo !== undefined) q = q.where(sql.ref('r.repo_key'), '=', query.repo.toLowerCase());
  if (query.campaign !== undefined) q = q.where('s.campaign', '=', query.campaign);
  if (query.verdict === 'none') q = q.where('s.last_verdict', 'is', null);
  else if (query.verdict !== undefined) q = q.where('s.last_verdict', '=', query.verdict);
  const row = await q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function keyOf(row: KeyedRow, keys: readonly SortColumn[]): string[] {
  return keys.map((k) => {
    switch (k) {
      case 's.updated_at':
        return row.updated_at;
      case 'r.created_at':
        return row.created_at;
      case 'r.owner_key':
        return row.owner_key;
      case 'r.repo_key':
        return row.repo_key;
      case 's.current_state':
        return row.current_state;
      default: {
        const unreachable: never = k;
        throw new Error(`unknown sort key ${String(unreachable)}`);
      }
    }
  });
}

/** Merges per-state reads of the update-time order (each already in order) into one list in that order. */
function mergeKeyed(lists: readonly KeyedRow[][], direction: 'asc' | 'desc'): KeyedRow[] {
  const sign = direction === 'desc' ? -1 : 1;
  const all = lists.flat();
  all.sort((a, b) => sign * (compare(a.updated_at, b.updated_at) || compare(a.run_id, b.run_id)));
  return all;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toPageRow(row: KeyedRow): RunPageRow {
  const { owner_key: _ownerKey, repo_key: _repoKey, ...rest } = row;
  return { ...rest, pr_number: rest.pr_number === null ? null : Number(rest.pr_number) };
}

/** A window of time cut into buckets, optionally one campaign's runs only. */
export interface TimeBucketQuery {
  /** ISO time; the first bucket starts at or before it. */
  since: string;
  /** ISO time; default now (the caller's clock). */
  until: string;
  bucket: 'hour' | 'day';
  campaign?: string | undefined;
}

/** How many runs were in each state at the end of a bucket. */
export interface StateCountsBucket {
  /** ISO start of the bucket. */
  start: string;
  counts: Partial<Record<RunState, number>>;
}

/** Time runs spent in one state, across the runs that entered it in the window. */
export interface StateDuration {
  state: RunState;
  runs: number;
  total_ms: number;
  median_ms: number;
  p90_ms: number;
}

/** Webhook deliveries received in a bucket, by outcome (`processed`, `ignored`, `duplicate`, `refused`, `pending`, …). */
export interface DeliveryBucket {
  start: string;
  total: number;
  by_outcome: Record<string, number>;
}

// Runs by state over time, time in states and webhook deliveries over time: dashboard-time-series.ts.
export { runStatesOverTime, timeInStates, webhookDeliveriesOverTime } from './dashboard-time-series.js';
