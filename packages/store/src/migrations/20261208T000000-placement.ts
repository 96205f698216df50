import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Run placement across hosts (issue 20):
 * - `runs.workspace_rel`: the run's workspace relative to any host's workspace root, `<owner>/<repo>/<run_id>` (the
 *   path `create-run` has always resolved under its root), backfilled from the stored names. `workspace_dir` stays:
 *   the absolute path where the run was first created. The default `''` only serves rows an older build could
 *   insert; an older build refuses this schema, and `createRuns` always sets the column.
 * - `run_states.workspace_host` / `workspace_host_at`: which host last held the run's workspace, and when (null
 *   until a host records it).
 * - `service_leases`: named leases for singletons across hosts (one Telegram poller per token), with the same
 *   upsert semantics as `run_leases`.
 */
export function placementMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('runs').addColumn('workspace_rel', 'text', (c) => c.notNull().defaultTo('')).execute();
      await sql`update runs set workspace_rel = owner || '/' || repo || '/' || run_id`.execute(db);
      await db.schema.alterTable('run_states').addColumn('workspace_host', 'text').execute();
      await db.schema.alterTable('run_states').addColumn('workspace_host_at', 'text').execute();
      await db.schema
        .createTable('service_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('service_leases').ifExists().execute();
      await db.schema.alterTable('run_states').dropColumn('workspace_host_at').execute();
      await db.schema.alterTable('run_states').dropColumn('workspace_host').execute();
      await db.schema.alterTable('runs').dropColumn('workspace_rel').execute();
    },
  };
}
