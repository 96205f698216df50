import type { Db, ManagerRunRow } from './schema.js';

/** The manager's memory of a run, or undefined when it never acted on it. */
export async function getManagerRun(db: Db, runId: string): Promise<ManagerRunRow | undefined> {
  const row = await db.selectFrom('manager_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row ? { ...row, consecutive_failures: Number(row.consecutive_failures) } : undefined;
}

/** Upserts the manager's memory of a run. */
export async function saveManagerRun(db: Db, row: ManagerRunRow): Promise<void> {
  const { run_id, ...rest } = row;
  await db
    .insertInto('manager_runs')
    .values(row)
    .onConflict((oc) => oc.column('run_id').doUpdateSet(rest))
    .execute();
}

/** Memory rows for many runs at once. */
export async function listManagerRuns(db: Db, runIds: string[]): Promise<Map<string, ManagerRunRow>> {
  if (runIds.length === 0) return new Map();
  const rows = await db.selectFrom('manager_runs').selectAll().where('run_id', 'in', runIds).execute();
  return new Map(rows.map((r) => [r.run_id, { ...r, consecutive_failures: Number(r.consecutive_failures) }]));
}
