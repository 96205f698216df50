import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { RunState } from '@agentpr/state-machine';
import { StoreError } from './errors.js';
import { MIGRATION_NAMES } from './migrations/names.js';
import type { RunListItem, RunWithState } from './runs.js';

/** Read-only queries on a SQLite store without loading kysely (the CLI start-up fast path). */
export interface SqliteReader {
  listRuns(limit: number): RunListItem[];
  getRun(runId: string): RunWithState | undefined;
  close(): void;
}

const LIST_SQL = `select r.run_id, r.owner, r.repo, r.mode, r.prompt_version, r.pr_number, s.current_state, s.last_error, s.updated_at
  from run_states s join runs r on r.run_id = s.run_id order by s.updated_at desc, s.run_id desc limit ?`;
const GET_SQL = `select r.*, s.current_state, s.last_error, s.last_active_state, s.held_facts_json, s.updated_at as state_updated_at
  from runs r join run_states s on s.run_id = r.run_id where r.run_id = ?`;

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
  const list = db.prepare(LIST_SQL);
  const get = db.prepare(GET_SQL);
  return {
    listRuns: (limit) => list.all(limit) as RunListItem[],
    getRun(runId) {
      const row = get.get(runId) as Record<string, unknown> | undefined;
      if (!row) return undefined;
      const { current_state, last_error, last_active_state, held_facts_json, state_updated_at, ...run } = row;
      return {
        run: run as unknown as RunWithState['run'],
        state: {
          run_id: runId,
          current_state: current_state as RunState,
          last_error: last_error as string | null,
          last_active_state: last_active_state as RunState | null,
          held_facts_json: (held_facts_json as string | null | undefined) ?? null,
          updated_at: state_updated_at as string,
        },
      };
    },
    close: () => db.close(),
  };
}
