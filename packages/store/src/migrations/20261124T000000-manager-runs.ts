import type { Kysely, Migration } from 'kysely';

/** `manager_runs`: the manager loop's memory per run (backoff, last action and its inputs, last sync). */
export function managerRunsMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('manager_runs')
        .addColumn('run_id', 'text', (c) => c.primaryKey().references('runs.run_id').onDelete('cascade'))
        .addColumn('last_action', 'text')
        .addColumn('last_fingerprint', 'text')
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('last_sync_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('manager_runs').ifExists().execute();
    },
  };
}
