import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The initial schema (the base tables plus the additions the issues ask for). */
export function initialMigration(dialect: DialectName): Migration {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  return {
    async up(db: Kysely<any>) {
      const pk = (c: any) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
      await db.schema
        .createTable('runs')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('owner_key', 'text', (c) => c.notNull())
        .addColumn('repo_key', 'text', (c) => c.notNull())
        .addColumn('prompt_version', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('budget_json', 'text', (c) => c.notNull())
        .addColumn('workspace_dir', 'text', (c) => c.notNull())
        .addColumn('pr_number', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_runs_repo_pr').on('runs').columns(['owner_key', 'repo_key', 'pr_number']).execute();
      await db.schema.createIndex('idx_runs_pr').on('runs').column('pr_number').execute();

      await db.schema
        .createTable('run_states')
        .addColumn('run_id', 'text', (c) => c.primaryKey().references('runs.run_id').onDelete('cascade'))
        .addColumn('current_state', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('last_active_state', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_run_states_updated').on('run_states').columns(['updated_at', 'run_id']).execute();
      await db.schema
        .createIndex('idx_run_states_active_updated')
        .on('run_states')
        .columns(['updated_at', 'run_id'])
        .where(sql.ref('current_state'), 'not in', sql`('DONE', 'SKIPPED', 'FAILED_TERMINAL')`)
        .execute();

      await db.schema
        .createTable('events')
        .addColumn('event_id', idType, pk)
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('applied', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('reason', 'text')
        .addColumn('actor', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('uq_events_run_key', ['run_id', 'idempotency_key'])
        .execute();
      await db.schema.createIndex('idx_events_run_created').on('events').columns(['run_id', 'created_at']).execute();

      await db.schema
        .createTable('step_attempts')
        .addColumn('id', idType, pk)
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
        .addColumn('step', 'text', (c) => c.notNull())
        .addColumn('attempt_no', 'integer', (c) => c.notNull())
        .addColumn('exit_code', 'integer', (c) => c.notNull())
        .addColumn('stdout_log', 'text', (c) => c.notNull())
        .addColumn('stderr_log', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('grade', 'text')
        .addColumn('reason_code', 'text')
        .addColumn('stage', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_attempts_run_step').on('step_attempts').columns(['run_id', 'step', 'attempt_no']).execute();

      await db.schema
        .createTable('artifacts')
        .addColumn('id', idType, pk)
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
        .addColumn('artifact_type', 'text', (c) => c.notNull())
        .addColumn('uri', 'text', (c) => c.notNull())
        .addColumn('metadata_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_artifacts_run_type').on('artifacts').columns(['run_id', 'artifact_type', 'id']).execute();
      await db.schema.createIndex('idx_artifacts_type').on('artifacts').columns(['artifact_type', 'id']).execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', idType, pk)
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('payload_sha256', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('detail_json', 'text')
        .addUniqueConstraint('uq_webhook_deliveries_source_delivery', ['source', 'delivery_id'])
        .execute();
      await db.schema.createIndex('idx_webhook_deliveries_received').on('webhook_deliveries').columns(['source', 'received_at']).execute();

      await db.schema
        .createTable('pr_requests')
        .addColumn('id', idType, pk)
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
        .addColumn('request_file', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('base', 'text', (c) => c.notNull())
        .addColumn('head', 'text', (c) => c.notNull())
        .addColumn('head_owner', 'text', (c) => c.notNull())
        .addColumn('head_sha', 'text', (c) => c.notNull())
        .addColumn('draft', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('confirm_token_sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('consumed_at', 'text')
        .execute();
      await db.schema.createIndex('idx_pr_requests_run').on('pr_requests').columns(['run_id', 'id']).execute();
      await db.schema.createIndex('idx_pr_requests_file').on('pr_requests').column('request_file').execute();

      await db.schema
        .createTable('run_leases')
        .addColumn('run_id', 'text', (c) => c.primaryKey().references('runs.run_id').onDelete('cascade'))
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_records')
        .addColumn('id', idType, pk)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('actor', 'text')
        .addColumn('detail_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_audit_records_run').on('audit_records').columns(['run_id', 'id']).execute();

      await db.schema
        .createTable('bot_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['bot_state', 'audit_records', 'run_leases', 'pr_requests', 'webhook_deliveries', 'artifacts', 'step_attempts', 'events', 'run_states', 'runs']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
