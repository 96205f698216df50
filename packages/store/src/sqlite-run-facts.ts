import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { UsageSums } from './campaign-queries.js';
import type { RunGateCheckRow } from './schema.js';

// show-run's fast path (no kysely): the same facts as `runUsage` and `latestGateChecks`, read with better-sqlite3 from
// a SQLite file the caller already found up to date (`openSqliteReader`). Keep the SQL in step with those two.

/** What show-run adds to a run: its agent attempts' token sums per engine and model, and each gate's latest verdict. */
export interface RunFacts {
  usage: UsageSums[];
  gates: RunGateCheckRow[];
}

const USAGE_SQL = `select engine, model, count(*) as attempts, count(input_tokens) as reported,
  coalesce(sum(input_tokens), 0) as input_tokens, coalesce(sum(cached_input_tokens), 0) as cached_input_tokens,
  coalesce(sum(output_tokens), 0) as output_tokens, coalesce(sum(reasoning_tokens), 0) as reasoning_tokens
  from step_attempts where run_id = ? and (step = 'agent' or engine is not null) group by engine, model`;
const GATES_SQL = 'select * from run_gate_checks where run_id = ? order by id desc limit 200';

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
    const usage = db.prepare(USAGE_SQL).all(runId) as UsageSums[];
    const rows = db.prepare(GATES_SQL).all(runId) as RunGateCheckRow[];
    const seen = new Set<string>();
    const gates = rows.filter((r) => (seen.has(r.gate) ? false : (seen.add(r.gate), true)));
    return { usage, gates };
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}
