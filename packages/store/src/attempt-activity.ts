import { sql } from 'kysely';
import type { Db } from './schema.js';

/**
 * The runs with step attempts, the run whose latest attempt is newest first, at most `limit` of them (the
 * run-bottlenecks report reads these). Runs without any attempt are not listed.
 *
 * @example
 * const runIds = await runsByLatestAttempt(db, { limit: 20 }); // ['run_b', 'run_a']
 */
export async function runsByLatestAttempt(db: Db, options: { limit: number }): Promise<string[]> {
  const rows = await db
    .selectFrom('step_attempts')
    .select(['run_id', sql<number>`max(id)`.as('last_id')])
    .groupBy('run_id')
    .orderBy(sql`max(id)`, 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((r) => r.run_id);
}
