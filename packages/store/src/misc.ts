import type { AuditRecordRow, Db } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** Reads a `bot_state` value. */
export async function getBotState(db: Db, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('bot_state').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Writes a `bot_state` value (upsert). */
export async function setBotState(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('bot_state')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Appends an audit record, e.g. a DoD bypass. */
export async function addAuditRecord(
  db: Db,
  record: { kind: string; runId?: string | null; actor?: string | null; detail: Record<string, unknown> },
  clock: Clock = systemClock,
): Promise<void> {
  await db
    .insertInto('audit_records')
    .values({
      kind: record.kind, run_id: record.runId ?? null, actor: record.actor ?? null, detail_json: JSON.stringify(record.detail), created_at: iso(clock()),
    })
    .execute();
}

/** The newest audit records, optionally for one run. */
export async function listAuditRecords(db: Db, options: { limit: number; runId?: string }): Promise<AuditRecordRow[]> {
  let query = db.selectFrom('audit_records').selectAll();
  if (options.runId) query = query.where('run_id', '=', options.runId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}
