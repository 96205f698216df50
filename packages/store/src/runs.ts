import { sql } from 'kysely';
import { TERMINAL_STATES, type RunState } from '@agentpr/state-machine';
import { inTransaction } from './dialect.js';
import { StoreError } from './errors.js';
import { checkWorkspaceRel, workspaceRelFor } from './run-placement.js';
import { listReads, mergeNewestFirst, type RunListFilter } from './run-list-filter.js';
import type { Db, RunRow, RunStateRow } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** The longest campaign name a run records (the `runs.campaign` column). */
export const CAMPAIGN_NAME_MAX_LENGTH = 200;

/** A new run, already validated by the caller. */
export interface NewRun {
  runId: string;
  owner: string;
  repo: string;
  promptVersion: string;
  mode: string;
  budget: Record<string, unknown>;
  workspaceDir: string;
  /**
   * The workspace relative to any host's workspace root; default `<owner>/<repo>/<runId>`. Must be relative, without
   * empty, `.` or `..` segments (`invalid_input` otherwise).
   */
  workspaceRel?: string | undefined;
  /** The campaign the run is created under (its name); omitted or null when unknown. */
  campaign?: string | null | undefined;
}

/** A run with its current state, as list-runs shows it. */
export interface RunListItem {
  run_id: string;
  owner: string;
  repo: string;
  mode: string;
  prompt_version: string;
  pr_number: number | null;
  /** The campaign the run was created under; null for runs created before it was recorded. */
  campaign: string | null;
  current_state: RunState;
  last_error: string | null;
  updated_at: string;
  /** The workspace relative to any host's workspace root (`<owner>/<repo>/<run_id>`). */
  workspace_rel: string;
  /** The host that last held the run's workspace; null until one recorded it. */
  workspace_host: string | null;
  /** When `workspace_host` was recorded. */
  workspace_host_at: string | null;
}

/** A run and its state row. */
export interface RunWithState {
  run: RunRow;
  state: RunStateRow & { current_state: RunState; last_active_state: RunState | null };
}

export type { RunListFilter } from './run-list-filter.js';

const TERMINAL = [...TERMINAL_STATES];

async function insertRuns(trx: Db, runs: NewRun[], now: string): Promise<void> {
  for (let i = 0; i < runs.length; i += 200) {
    const chunk = runs.slice(i, i + 200);
    // Validated before anything is written: a bad path fails the whole batch with nothing inserted.
    const rels = chunk.map((r) => (r.workspaceRel === undefined ? workspaceRelFor(r.owner, r.repo, r.runId) : checkWorkspaceRel(r.workspaceRel)));
    const inserted = await trx
      .insertInto('runs')
      .values(
        chunk.map((r, j) => ({
          run_id: r.runId,
          owner: r.owner,
          repo: r.repo,
          owner_key: r.owner.toLowerCase(),
          repo_key: r.repo.toLowerCase(),
          prompt_version: r.promptVersion,
          mode: r.mode,
          budget_json: JSON.stringify(r.budget),
          workspace_dir: r.workspaceDir,
          workspace_rel: rels[j]!,
          pr_number: null,
          campaign: r.campaign ?? null,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.column('run_id').doNothing())
      .returning('run_id')
      .execute();
    if (inserted.length !== chunk.length) {
      const got = new Set(inserted.map((r) => r.run_id));
      const existing = chunk.find((r) => !got.has(r.runId));
      const id = existing?.runId ?? '?';
      throw new StoreError('run_exists', `run ${id} already exists. Choose another --run-id or omit it to generate one.`, { runId: id });
    }
    await trx
      .insertInto('run_states')
      .values(
        chunk.map((r) => ({ run_id: r.runId, current_state: 'QUEUED', last_error: null, last_active_state: null, paused_from: null, campaign: r.campaign ?? null, updated_at: now })),
      )
      .execute();
    await trx
      .insertInto('events')
      .values(
        chunk.map((r) => ({
          run_id: r.runId,
          event_type: 'command.run.create',
          idempotency_key: `run-create:${r.runId}`,
          payload_json: JSON.stringify({
            run_id: r.runId,
            owner: r.owner,
            repo: r.repo,
            prompt_version: r.promptVersion,
            mode: r.mode,
            budget: r.budget,
            workspace_dir: r.workspaceDir,
          }),
          applied: 1,
          reason: null,
          actor: 'operator',
          created_at: now,
        })),
      )
      .execute();
  }
}

/** Inserts a run in `QUEUED` with its `command.run.create` event, in one transaction. Fails if the id exists. */
export async function createRun(db: Db, run: NewRun, clock: Clock = systemClock): Promise<void> {
  await inTransaction(db, (trx) => insertRuns(trx, [run], iso(clock())));
}

/** Inserts many runs in one transaction: all or nothing. */
export async function createRuns(db: Db, runs: NewRun[], clock: Clock = systemClock): Promise<void> {
  await inTransaction(db, (trx) => insertRuns(trx, runs, iso(clock())));
}

/** The run and its state, or `undefined`. */
export async function getRun(db: Db, runId: string): Promise<RunWithState | undefined> {
  const row = await db
    .selectFrom('runs')
    .innerJoin('run_states', 'run_states.run_id', 'runs.run_id')
    .selectAll('runs')
    .select([
      'run_states.current_state',
      'run_states.last_error',
      'run_states.last_active_state',
      'run_states.held_facts_json',
      'run_states.paused_from',
      'run_states.last_verdict',
      'run_states.workspace_host',
      'run_states.workspace_host_at',
      'run_states.updated_at as state_updated_at',
    ])
    .where('runs.run_id', '=', runId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { current_state, last_error, last_active_state, held_facts_json, paused_from, last_verdict, state_updated_at, ...rest } = row;
  const { workspace_host, workspace_host_at, ...run } = rest;
  return {
    run: { ...run, pr_number: run.pr_number === null ? null : Number(run.pr_number) },
    state: {
      run_id: run.run_id,
      current_state: current_state as RunState,
      last_error,
      last_active_state: last_active_state as RunState | null,
      held_facts_json,
      paused_from,
      last_verdict,
      workspace_host,
      workspace_host_at,
      campaign: run.campaign,
      updated_at: state_updated_at,
    },
  };
}

/** Like {@link getRun}, but throws `run_not_found`. */
export async function requireRun(db: Db, runId: string): Promise<RunWithState> {
  const found = await getRun(db, runId);
  if (!found) throw new StoreError('run_not_found', `run ${runId} not found. Use list-runs to see existing runs.`, { runId });
  return found;
}

function listSelect(db: Db) {
  return db
    .selectFrom('run_states')
    .innerJoin('runs', 'runs.run_id', 'run_states.run_id')
    .select([
      'runs.run_id',
      'runs.owner',
      'runs.repo',
      'runs.mode',
      'runs.prompt_version',
      'runs.pr_number',
      'runs.campaign',
      'run_states.current_state',
      'run_states.last_error',
      'run_states.updated_at',
      'runs.workspace_rel',
      'run_states.workspace_host',
      'run_states.workspace_host_at',
    ]);
}

function toItem(row: any): RunListItem {
  return { ...row, pr_number: row.pr_number === null ? null : Number(row.pr_number) };
}

function filtered(db: Db, filter: RunListFilter, state: RunState | undefined) {
  let query = listSelect(db);
  if (state !== undefined) query = query.where('run_states.current_state', '=', state);
  if (filter.repo) query = query.where('runs.owner_key', '=', filter.repo.owner.toLowerCase()).where('runs.repo_key', '=', filter.repo.repo.toLowerCase());
  if (filter.campaign !== undefined) query = query.where('run_states.campaign', '=', filter.campaign);
  return query.orderBy('run_states.updated_at', 'desc').orderBy('run_states.run_id', 'desc');
}

/**
 * The most recently updated runs (by state `updated_at`), newest first, narrowed by `filter`. Each read is an
 * index-ordered read that stops at the limit (see {@link listReads}): per state, per campaign and state, or all
 * runs; a repository alone is looked up by `idx_runs_repo_pr`, so it sorts only that repository's runs.
 */
export async function listRuns(db: Db, options: { limit: number } & RunListFilter): Promise<RunListItem[]> {
  const reads = listReads(options);
  if (reads.length === 1) return (await filtered(db, options, reads[0]).limit(options.limit).execute()).map(toItem);
  const lists: RunListItem[][] = [];
  for (const state of reads) lists.push((await filtered(db, options, state).limit(options.limit).execute()).map(toItem));
  return mergeNewestFirst(lists, options.limit);
}

/**
 * Non-terminal runs, least recently updated first (fair order for the manager), or most recent first.
 * Uses the partial index on active runs, so the cost follows the number of active runs, not all runs.
 */
export async function listActiveRuns(db: Db, options: { limit: number; order?: 'oldest' | 'newest'; states?: RunState[] }): Promise<RunListItem[]> {
  const dir = options.order === 'newest' ? 'desc' : 'asc';
  let query = listSelect(db).where('run_states.current_state', 'not in', TERMINAL);
  if (options.states?.length) query = query.where('run_states.current_state', 'in', options.states);
  const rows = await query.orderBy('run_states.updated_at', dir).orderBy('run_states.run_id', dir).limit(options.limit).execute();
  return rows.map(toItem);
}

/** Counts runs per state. */
export async function countRunsByState(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('run_states')
    .select(['current_state', sql<number>`count(*)`.as('n')])
    .groupBy('current_state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.current_state, Number(r.n)]));
}

/**
 * The most recently updated run with this PR number, matched by owner and repo case-insensitively when given
 * (GitHub treats owner and repo names case-insensitively).
 */
export async function findRunByPr(db: Db, match: { prNumber: number; owner?: string; repo?: string }): Promise<RunRow | undefined> {
  let query = db.selectFrom('runs').selectAll().where('pr_number', '=', match.prNumber);
  if (match.owner !== undefined && match.repo !== undefined) {
    query = query.where('owner_key', '=', match.owner.toLowerCase()).where('repo_key', '=', match.repo.toLowerCase());
  }
  const row = await query.orderBy('updated_at', 'desc').orderBy('run_id', 'desc').executeTakeFirst();
  return row ? { ...row, pr_number: row.pr_number === null ? null : Number(row.pr_number) } : undefined;
}
