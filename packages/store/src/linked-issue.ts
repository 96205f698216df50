import { inTransaction } from './dialect.js';
import type { Db } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/**
 * Ties a run to an upstream issue (`runs.linked_issue`), or unties it with `null`; returns the issue it was tied to
 * before (null when none). The caller checks that the issue exists; the run must exist (false when it does not).
 *
 * @example
 * await setLinkedIssue(db, 'run_1', 12); // → { updated: true, previous: null }
 */
export async function setLinkedIssue(
  db: Db,
  runId: string,
  issue: number | null,
  clock: Clock = systemClock,
): Promise<{ updated: boolean; previous: number | null }> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('runs').select('linked_issue').where('run_id', '=', runId).executeTakeFirst();
    if (!row) return { updated: false, previous: null };
    await trx.updateTable('runs').set({ linked_issue: issue, updated_at: iso(clock()) }).where('run_id', '=', runId).execute();
    return { updated: true, previous: row.linked_issue === null ? null : Number(row.linked_issue) };
  });
}
