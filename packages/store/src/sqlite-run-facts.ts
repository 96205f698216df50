import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { UsageSums } from './campaign-queries.js';
import type { PlacementLease } from './run-placement.js';
import type { RunGateCheckRow } from './schema.js';

// show-run's fast path (no kysely): the same facts as `runUsage`, `latestGateChecks` and `getLease`, read with
// better-sqlite3 from a SQLite file the caller already found up to date (`openSqliteReader`). Keep the SQL in step
// with those three.

/** What show-run adds to a run: its agent attempts' token sums per engine and model, each gate's latest verdict, its lease. */
export interface RunFacts {
  usage: UsageSums[];
  gates: RunGateCheckRow[];
  /** The run's lease row (live or expired; `describePlacement` decides), null when none. */
  lease: PlacementLease | null;
}

const USAGE_SQL = `select engine, model, count(*) as attempts, count(input_tokens) as reported,
  coalesce(sum(input_tokens), 0) as input_tokens, coalesce(sum(cached_input_tokens), 0) as cached_input_tokens,
  coalesce(sum(output_tokens), 0) as output_tokens, coalesce(sum(reasoning_tokens), 0) as reasoning_tokens
  from step_attempts where run_id = ? and (step = 'agent' or engine is not null) group by engine, model`;
const GATES_SQL = 'select * from run_gate_checks where run_id = ? order by id desc limit 200';
const LEASE_SQL = 'select holder, expires_at from run_leases where run_id = ?';

/** A run's {@link RunFacts} through an open better-sqlite3 connection (the CLI's read-only fast path holds one). */
export function runFactsOf(db: BetterSqlite3.Database, runId: string): RunFacts {
  const usage = db.prepare(USAGE_SQL).all(runId) as UsageSums[];
  const rows = db.prepare(GATES_SQL).all(runId) as RunGateCheckRow[];
  const seen = new Set<string>();
  const gates = rows.filter((r) => (seen.has(r.gate) ? false : (seen.add(r.gate), true)));
  const lease = (db.prepare(LEASE_SQL).get(runId) as PlacementLease | undefined) ?? null;
  return { usage, gates, lease };
}

/**
 * Reads a run's {@link RunFacts} from a SQLite store file, read-only. Returns undefined when the file cannot be
 * opened; the caller then reads them through the full store.
 */
export function readRunFactsSqlite(path: string, runId: string): RunFacts | undefined {
  const require = createRequire(import.meta.url);
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  let db: BetterSqlite3.Database;
  try {
    db = new Database(resolve(path), { readonly: true, fileMustExist: true, timeout: 10_000 });
  } catch {
    return undefined;
  }
  try {
    return runFactsOf(db, runId);
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}
