import type { Kysely, Migration } from 'kysely';

/**
 * `run_states.paused_from`: the state a PAUSED run was paused from (issue 15), so `resume` returns a run paused
 * in NEEDS_HUMAN_REVIEW there instead of to the stage before its escalation. Null when the run is not PAUSED and
 * for runs paused before it was recorded (resume then uses `last_active_state`, as before).
 */
export function pausedFromMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('run_states').addColumn('paused_from', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('run_states').dropColumn('paused_from').execute();
    },
  };
}
