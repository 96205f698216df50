import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Being a good citizen (issue 17).
 * - `repo_policy_checks`: each classification of a repository's stance on AI contributions, with the sentences it
 *   relied on and the documents it read (newest per repository wins; kept as history).
 * - `run_gate_checks`: each time a gate (AI policy, duplicates, etiquette) judged a run, at which phase, with its
 *   outcome and evidence; overrides (`--allow-duplicate`, `--ignore-limits`) are rows with `override = 1`.
 * - `pr_activity`: the life of a run's PR as maintainers see it: opened, first maintainer response, last maintainer
 *   activity, the follow-up comment, closed or merged, and why it was rejected. The funnel and the stale follow-up
 *   read it; the PR limits count openings from it.
 * - `step_attempts` gains the engine, the model and the token usage of each attempt (cost is computed when read,
 *   from the policy's price table).
 * - `runs.linked_issue`: the upstream issue a run is tied to (required before a PR request where a repository asks
 *   for an issue first).
 */
export function citizenshipMigration(dialect: DialectName): Migration {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  const pk = (c: any) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('repo_policy_checks')
        .addColumn('id', idType, pk)
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('owner_key', 'text', (c) => c.notNull())
        .addColumn('repo_key', 'text', (c) => c.notNull())
        .addColumn('stance', 'text', (c) => c.notNull())
        .addColumn('evidence_json', 'text', (c) => c.notNull())
        .addColumn('documents_json', 'text', (c) => c.notNull())
        .addColumn('checked_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_repo_policy_checks_repo').on('repo_policy_checks').columns(['owner_key', 'repo_key', 'checked_at']).execute();

      await db.schema
        .createTable('run_gate_checks')
        .addColumn('id', idType, pk)
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason_code', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('detail_json', 'text', (c) => c.notNull())
        .addColumn('override', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('actor', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_run_gate_checks_run').on('run_gate_checks').columns(['run_id', 'created_at']).execute();

      await db.schema
        .createTable('pr_activity')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('owner_key', 'text', (c) => c.notNull())
        .addColumn('repo_key', 'text', (c) => c.notNull())
        .addColumn('campaign', 'text')
        .addColumn('pr_number', 'integer', (c) => c.notNull())
        .addColumn('pr_url', 'text')
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addColumn('first_response_at', 'text')
        .addColumn('last_maintainer_activity_at', 'text')
        .addColumn('followup_at', 'text')
        .addColumn('followup_comment_id', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('merged_at', 'text')
        .addColumn('stale_closed_at', 'text')
        .addColumn('rejection_category', 'text')
        .addColumn('rejection_evidence', 'text')
        .addColumn('checked_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_pr_activity_campaign_opened').on('pr_activity').columns(['campaign', 'opened_at']).execute();
      await db.schema.createIndex('idx_pr_activity_repo').on('pr_activity').columns(['owner_key', 'repo_key']).execute();

      for (const [name, type] of [
        ['engine', 'text'],
        ['model', 'text'],
        ['input_tokens', 'integer'],
        ['cached_input_tokens', 'integer'],
        ['output_tokens', 'integer'],
        ['reasoning_tokens', 'integer'],
      ] as const) {
        await db.schema.alterTable('step_attempts').addColumn(name, type).execute();
      }
      await db.schema.alterTable('runs').addColumn('linked_issue', 'integer').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('runs').dropColumn('linked_issue').execute();
      for (const name of ['reasoning_tokens', 'output_tokens', 'cached_input_tokens', 'input_tokens', 'model', 'engine']) {
        await db.schema.alterTable('step_attempts').dropColumn(name).execute();
      }
      await db.schema.dropTable('pr_activity').ifExists().execute();
      await db.schema.dropTable('run_gate_checks').ifExists().execute();
      await db.schema.dropTable('repo_policy_checks').ifExists().execute();
    },
  };
}
