import type { Kysely, Migration } from 'kysely';

/**
 * `list-runs --state/--repo/--campaign` (issue 15): `runs.campaign` (the campaign a run was created under; null for
 * runs created before it was recorded) with its index, and an index on `run_states (current_state, updated_at,
 * run_id)` so that the newest runs of one state are read in order and the read stops at the limit. The repository
 * filter uses the existing `idx_runs_repo_pr` (owner_key, repo_key, …).
 */
export function listFiltersMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('runs').addColumn('campaign', 'text').execute();
      await db.schema.createIndex('idx_runs_campaign').on('runs').column('campaign').execute();
      await db.schema.createIndex('idx_run_states_state_updated').on('run_states').columns(['current_state', 'updated_at', 'run_id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('idx_run_states_state_updated').execute();
      await db.schema.dropIndex('idx_runs_campaign').execute();
      await db.schema.alterTable('runs').dropColumn('campaign').execute();
    },
  };
}
