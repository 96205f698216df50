import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { RunState } from '@agentpr/state-machine';
import { StoreError } from './errors.js';
import { MIGRATION_NAMES } from './migrations/names.js';
import { listReads, mergeNewestFirst, type RunListFilter } from './run-list-filter.js';
import type { RunListItem, RunWithState } from './runs.js';
import { runFactsOf, type RunFacts } from './sqlite-run-facts.js';

/** Read-only queries on a SQLite store without loading kysely (the CLI start-up fast path). */
export interface SqliteReader {
  /** The same rows, in the same order, as the store's `listRuns`, with the same filters. */
  listRuns(limit: number, filter?: RunListFilter): RunListItem[];
  getRun(runId: string): RunWithState | undefined;
  /** What show-run adds to a run (usage, gates' latest verdicts, lease), on the same connection. */
  runFacts(runId: string): RunFacts;
  close(): void;
}

const LIST_SELECT = `select r.run_id, r.owner, r.repo, r.mode, r.prompt_version, r.pr_number, r.campaign, s.current_state, s.last_error, s.updated_at,
  r.workspace_rel, s.workspace_host, s.workspace_host_at
  from run_states s join runs r on r.run_id = s.run_id`;
const LIST_ORDER = 'order by s.updated_at desc, s.run_id desc limit ?';
const GET_SQL = `select r.*, s.current_state, s.last_error, s.last_active_state, s.held_facts_json, s.paused_from, s.last_verdict, s.workspace_host, s.workspace_host_at,
  s.updated_at as state_updated_at
  from runs r join run_states s on s.run_id = r.run_id where r.run_id = ?`;

/** The SQL of one filtered read (at most one state) and its parameters, as the store's `listRuns` builds it. */
function listQuery(filter: RunListFilter, state: RunState | undefined, limit: number): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (state !== undefined) {
    where.push('s.current_state = ?');
    params.push(state);
  }
  if (filter.repo) {
    where.push('r.owner_key = ?', 'r.repo_key = ?');
    params.push(filter.repo.owner.toLowerCase(), filter.repo.repo.toLowerCase());
  }
  if (filter.campaign !== undefined) {
    where.push('s.campaign = ?');
    params.push(filter.campaign);
  }
  const sql = `${LIST_SELECT}${where.length ? ` where ${where.join(' and ')}` : ''} ${LIST_ORDER}`;
  return { sql, params: [...params, limit] };
}

/**
 * Opens a SQLite store read-only for list/show queries. Returns `undefined` when the fast path does not apply
 * (no file yet, or migrations pending): the caller then opens the full store, which creates or migrates it.
 * A database from a newer build is refused exactly as {@link openStore} refuses it.
 */
export function openSqliteReader(path: string): SqliteReader | undefined {
  const file = resolve(path);
  if (!existsSync(file)) return undefined;
  const require = createRequire(import.meta.url);
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  let db: BetterSqlite3.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
  } catch {
    return undefined;
  }
  let applied: string[];
  try {
    applied = (db.prepare('select name from kysely_migration').all() as Array<{ name: string }>).map((r) => r.name);
  } catch (cause) {
    db.close();
    if ((cause as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new StoreError('not_a_database', `${file} is not an agentpr SQLite database (file is not a database); pass --db with another file or move it away.`, { cause });
    }
    return undefined;
  }
  const unknown = applied.filter((n) => !MIGRATION_NAMES.includes(n)).sort();
  if (unknown.length > 0) {
    db.close();
    throw new StoreError('schema_too_new', `database ${file} was written by a newer agentpr (schema ${unknown.at(-1)}; this build knows up to ${MIGRATION_NAMES.at(-1)}). Upgrade agentpr; nothing was changed.`);
  }
  if (applied.length !== MIGRATION_NAMES.length) {
    db.close();
    return undefined;
  }
  const get = db.prepare(GET_SQL);
  return {
    listRuns(limit, filter = {}) {
      const reads = listReads(filter);
      const { sql } = listQuery(filter, reads[0], limit);
      const statement = db.prepare(sql);
      const read = (state: RunState | undefined) => statement.all(...listQuery(filter, state, limit).params) as RunListItem[];
      if (reads.length === 1) return read(reads[0]);
      return mergeNewestFirst(reads.map(read), limit);
    },
    getRun(runId) {
      const row = get.get(runId) as Record<string, unknown> | undefined;
      if (!row) return undefined;
      const { current_state, last_error, last_active_state, held_facts_json, paused_from, last_verdict, state_updated_at, ...rest } = row;
      const { workspace_host, workspace_host_at, ...run } = rest;
      return {
        run: run as unknown as RunWithState['run'],
        state: {
          run_id: runId,
          current_state: current_state as RunState,
          last_error: last_error as string | null,
          last_active_state: last_active_state as RunState | null,
          held_facts_json: (held_facts_json as string | null | undefined) ?? null,
          paused_from: (paused_from as string | null | undefined) ?? null,
          last_verdict: (last_verdict as string | null | undefined) ?? null,
          workspace_host: (workspace_host as string | null | undefined) ?? null,
          workspace_host_at: (workspace_host_at as string | null | undefined) ?? null,
          campaign: (run.campaign as string | null | undefined) ?? null,
          updated_at: state_updated_at as string,
        },
      };
    },
    runFacts: (runId) => runFactsOf(db, runId),
    close: () => db.close(),
  };
}
export { readRunFactsSqlite, type RunFacts } from './sqlite-run-facts.js';
export { describePlacement, type PlacementLease, type PlacementView } from './run-placement.js';
