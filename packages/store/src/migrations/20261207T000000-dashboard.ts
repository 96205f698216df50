import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The dashboard's runs page (issue 18) filters by the latest verdict and sorts by creation time or repository over
 * 100k runs without sorting a whole history:
 * - `run_states.last_verdict`: the grade (PASS / RETRYABLE / HUMAN_REVIEW) of the run's newest graded attempt, kept
 *   by `recordAttempt` and `setAttemptVerdict` in the same statement batch; backfilled here from `step_attempts`.
 * - indexes for each sort and the verdict filter, each ending in `run_id` (the keyset pagination's tie-breaker).
 */
export function dashboardMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('run_states').addColumn('last_verdict', 'text').execute();
      await sql`update run_states set last_verdict = (
        select a.grade from step_attempts a where a.run_id = run_states.run_id and a.grade is not null order by a.id desc limit 1)`.execute(db);
      await db.schema.createIndex('idx_run_states_verdict_updated').on('run_states').columns(['last_verdict', 'updated_at', 'run_id']).execute();
      await db.schema.createIndex('idx_runs_created').on('runs').columns(['created_at', 'run_id']).execute();
      await db.schema.createIndex('idx_runs_repo_run').on('runs').columns(['owner_key', 'repo_key', 'run_id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('idx_runs_repo_run').execute();
      await db.schema.dropIndex('idx_runs_created').execute();
      await db.schema.dropIndex('idx_run_states_verdict_updated').execute();
      await db.schema.alterTable('run_states').dropColumn('last_verdict').execute();
    },
  };
}
