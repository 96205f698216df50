import { sql, type Kysely, type Migration } from 'kysely';

/**
 * `run_states.campaign`: a copy of the run's (immutable) `runs.campaign` beside its state, with an index on
 * `(campaign, current_state, updated_at, run_id)`, so the newest runs of one campaign are read per state in order
 * and each read stops at the limit, however many runs the campaign has. It replaces `idx_runs_campaign`, whose
 * reads had to sort every run of the campaign.
 */
export function campaignListKeyMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('run_states').addColumn('campaign', 'text').execute();
      await sql`update run_states set campaign = (select r.campaign from runs r where r.run_id = run_states.run_id)`.execute(db);
      await db.schema.createIndex('idx_run_states_campaign_state').on('run_states').columns(['campaign', 'current_state', 'updated_at', 'run_id']).execute();
      await db.schema.dropIndex('idx_runs_campaign').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.createIndex('idx_runs_campaign').on('runs').column('campaign').execute();
      await db.schema.dropIndex('idx_run_states_campaign_state').execute();
      await db.schema.alterTable('run_states').dropColumn('campaign').execute();
    },
  };
}
