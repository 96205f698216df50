import { sql, type RawBuilder } from 'kysely';
import { RUN_STATES, isRunState, type RunState } from '@agentpr/state-machine';
import { decodeCursor, encodeCursor, type PageCursor } from './dashboard-cursor.js';
import type { RunPage, RunPageQuery, RunPageRow, RunSort } from './dashboard-queries.js';
import { dialectOf } from './dialect.js';
import { StoreError } from './errors.js';
import type { Db } from './schema.js';

/** The page size a caller may ask for. */
export const RUN_PAGE_MAX_LIMIT = 200;

/**
 * Up to this many matching runs, a filter's own index may read them all and sort them (a bounded sort); past it,
 * the page is read in order from its sort's index, skipping runs that do not match. Reading in order scans about
 * `limit × runs / matching` rows, so the two cost the same near √(limit × runs): about 2,000 at 100k runs.
 */
export const SORT_MATCHES_MAX = 2_000;

type SortColumn = 's.updated_at' | 'r.created_at' | 'r.owner_key' | 'r.repo_key' | 's.current_state';
type Filter = 'states' | 'owner' | 'campaign' | 'verdict';

/** The sort keys of each order, before the `run_id` tie-breaker; each order is read from one index ending in `run_id`. */
const SORT_KEYS: Record<RunSort, readonly SortColumn[]> = {
  updated: ['s.updated_at'],
  created: ['r.created_at'],
  repo: ['r.owner_key', 'r.repo_key'],
  state: ['s.current_state', 's.updated_at'],
};

/**
 * The filters an index of each order reads in that order: `updated` from `idx_run_states_state_updated`,
 * `_verdict_updated` or (a campaign, state by state) `_campaign_state`; `repo` from `idx_runs_repo_run`; `state` from
 * `idx_run_states_state_updated` or `_campaign_state`; `created` (`idx_runs_created`) from none.
 */
const IN_ORDER: Record<RunSort, ReadonlySet<Filter>> = {
  updated: new Set(['states', 'verdict', 'campaign']),
  created: new Set(),
  repo: new Set(['owner']),
  state: new Set(['states', 'campaign']),
};

interface KeyedRow extends RunPageRow {
  owner_key: string;
  repo_key: string;
}

interface Read {
  sort: RunSort;
  direction: 'asc' | 'desc';
  after: PageCursor | undefined;
  /** Filters whose index must not drive the read (SQLite: `+column`), so the order's index does. */
  hidden: ReadonlySet<Filter>;
}

/**
 * The runs page: filtered, ordered from an index, one keyset page at a time (fast at 100k runs). Every order ends
 * with `run_id`, so walking `next` visits each matching run exactly once; `state` orders by state, then by update
 * time, in the same direction. No read sorts more than {@link SORT_MATCHES_MAX} runs. A bad `limit`, `sort`,
 * `direction`, state or cursor is an `invalid_input` StoreError.
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
  if (!Object.hasOwn(SORT_KEYS, sort)) throw new StoreError('invalid_input', 'sort must be one of updated, created, repo, state.');
  if (direction !== 'asc' && direction !== 'desc') throw new StoreError('invalid_input', 'direction must be asc or desc.');
  const keys = SORT_KEYS[sort];
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, { sort, direction, keys: keys.length });
  const states = query.states ? [...new Set(query.states)] : undefined;
  if (states?.some((state) => !isRunState(state))) throw new StoreError('invalid_input', `states must be run states (${RUN_STATES.join(', ')}).`);
  if (states?.length === 0) return { rows: [], next: null, total: 0 };
  const total = await countMatching(db, query);
  if (total === 0) return { rows: [], next: null, total };
  const hidden = dialectOf(db) === 'sqlite' && total > SORT_MATCHES_MAX ? notInOrder(query, sort) : new Set<Filter>();
  const read: Read = { sort, direction, after, hidden };
  const reads = stateReads(query, sort, states);
  const rows = reads.length === 1 ? await readRows(db, query, read, reads[0]) : await readMerged(db, query, read, reads);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next = rows.length > query.limit && last ? encodeCursor({ sort, direction, key: keyOf(last, keys), runId: last.run_id }) : null;
  return { rows: page.map(toPageRow), next, total };
}

/** The given filters that no index of `sort` reads in order. */
function notInOrder(query: RunPageQuery, sort: RunSort): Set<Filter> {
  const given: Filter[] = [];
  if (query.states !== undefined) given.push('states');
  if (query.owner !== undefined || query.repo !== undefined) given.push('owner');
  if (query.campaign !== undefined) given.push('campaign');
  if (query.verdict !== undefined) given.push('verdict');
  return new Set(given.filter((f) => !IN_ORDER[sort].has(f)));
}

/**
 * The reads a page takes, one per state (`undefined`: one read). In update order, several states, or a campaign
 * without states or verdict, are read state by state (each from a `(…, current_state, updated_at, run_id)` index, in
 * order) and merged.
 */
function stateReads(query: RunPageQuery, sort: RunSort, states: RunState[] | undefined): Array<RunState | undefined> {
  if (sort !== 'updated') return [undefined];
  if (states && states.length > 1) return states;
  if (!states && query.campaign !== undefined && query.verdict === undefined) return [...RUN_STATES];
  return [undefined];
}

/** A column of a filter, hidden from the planner (SQLite's unary `+`) when its index must not drive the read. */
function column(name: string, filter: Filter, hidden: ReadonlySet<Filter>): RawBuilder<unknown> {
  return hidden.has(filter) ? sql`+${sql.ref(name)}` : sql`${sql.ref(name)}`;
}

function matching(db: Db, query: RunPageQuery, state: RunState | undefined, hidden: ReadonlySet<Filter>) {
  let q = db.selectFrom('run_states as s').innerJoin('runs as r', 'r.run_id', 's.run_id');
  if (state !== undefined) q = q.where(column('s.current_state', 'states', hidden), '=', state);
  else if (query.states !== undefined) q = q.where(column('s.current_state', 'states', hidden), 'in', [...new Set(query.states)]);
  if (query.owner !== undefined) q = q.where(column('r.owner_key', 'owner', hidden), '=', query.owner.toLowerCase());
  if (query.repo !== undefined) q = q.where(column('r.repo_key', 'owner', hidden), '=', query.repo.toLowerCase());
  if (query.campaign !== undefined) q = q.where(column('s.campaign', 'campaign', hidden), '=', query.campaign);
  if (query.verdict === 'none') q = q.where(column('s.last_verdict', 'verdict', hidden), 'is', null);
  else if (query.verdict !== undefined) q = q.where(column('s.last_verdict', 'verdict', hidden), '=', query.verdict);
  return q;
}

function ordered(db: Db, query: RunPageQuery, read: Read, state: RunState | undefined) {
  const keys = SORT_KEYS[read.sort];
  // The tie-breaker comes from the table of the sort keys, so the read follows that table's index to the end.
  const tie = keys[0]!.startsWith('s.') ? 's.run_id' : 'r.run_id';
  let q = matching(db, query, state, read.hidden);
  if (read.after) {
    const left = sql.join([...keys, tie].map((k) => sql.ref(k)));
    const right = sql.join([...read.after.key, read.after.runId]);
    q = q.where(read.direction === 'desc' ? sql<boolean>`(${left}) < (${right})` : sql<boolean>`(${left}) > (${right})`);
  }
  for (const k of keys) q = q.orderBy(k, read.direction);
  return q.orderBy(tie, read.direction).limit(query.limit + 1);
}

const ROW_COLUMNS = [
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
] as const;

async function readRows(db: Db, query: RunPageQuery, read: Read, state: RunState | undefined): Promise<KeyedRow[]> {
  return (await ordered(db, query, read, state).select(ROW_COLUMNS).execute()) as KeyedRow[];
}

/**
 * Reads the keys of each state's next page (update time and run id, from the index alone), merges them, and reads
 * the rows of the page's runs: a page costs one short index read per state and one read of at most `limit + 1` rows.
 */
async function readMerged(db: Db, query: RunPageQuery, read: Read, states: ReadonlyArray<RunState | undefined>): Promise<KeyedRow[]> {
  const keys: Array<{ updated_at: string; run_id: string }> = [];
  for (const state of states) keys.push(...(await ordered(db, query, read, state).select(['s.updated_at', 's.run_id']).execute()));
  const sign = read.direction === 'desc' ? -1 : 1;
  keys.sort((a, b) => sign * (compare(a.updated_at, b.updated_at) || compare(a.run_id, b.run_id)));
  const ids = keys.slice(0, query.limit + 1).map((k) => k.run_id);
  if (ids.length === 0) return [];
  const rows = (await db
    .selectFrom('run_states as s')
    .innerJoin('runs as r', 'r.run_id', 's.run_id')
    .select(ROW_COLUMNS)
    .where('s.run_id', 'in', ids)
    .execute()) as KeyedRow[];
  const byId = new Map(rows.map((r) => [r.run_id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** How many runs match the filters, counted from the narrowest index (`run_states` alone unless a runs column is filtered). */
async function countMatching(db: Db, query: RunPageQuery): Promise<number> {
  const states = query.states ? [...new Set(query.states)] : undefined;
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

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toPageRow(row: KeyedRow): RunPageRow {
  const { owner_key: _ownerKey, repo_key: _repoKey, ...rest } = row;
  return { ...rest, pr_number: rest.pr_number === null ? null : Number(rest.pr_number) };
}
