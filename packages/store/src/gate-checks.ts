import type { Db, RunGateCheckRow } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** A gate verdict to record (see `run_gate_checks`). */
export interface NewGateCheck {
  runId: string;
  gate: string;
  phase: string;
  outcome: string;
  reasonCode: string | null;
  message: string;
  detail: Record<string, unknown>;
  override: boolean;
  actor: string | null;
}

/** Records one gate verdict; returns its id. */
export async function insertGateCheck(db: Db, check: NewGateCheck, clock: Clock = systemClock): Promise<number> {
  const row = await db
    .insertInto('run_gate_checks')
    .values({
      run_id: check.runId,
      gate: check.gate,
      phase: check.phase,
      outcome: check.outcome,
      reason_code: check.reasonCode,
      message: check.message,
      detail_json: JSON.stringify(check.detail),
      override: check.override ? 1 : 0,
      actor: check.actor,
      created_at: iso(clock()),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** A run's gate verdicts, newest first (at most `limit`, default 50). */
export async function listGateChecks(db: Db, runId: string, options: { gate?: string; limit?: number } = {}): Promise<RunGateCheckRow[]> {
  let query = db.selectFrom('run_gate_checks').selectAll().where('run_id', '=', runId);
  if (options.gate) query = query.where('gate', '=', options.gate);
  const rows = await query.orderBy('id', 'desc').limit(options.limit ?? 50).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), override: Number(r.override) }));
}

/** The newest verdict of each gate for a run (one row per gate that ever ran). */
export async function latestGateChecks(db: Db, runId: string): Promise<RunGateCheckRow[]> {
  const rows = await listGateChecks(db, runId, { limit: 200 });
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.gate) ? false : (seen.add(r.gate), true)));
}
