import type { Kysely, Migration } from 'kysely';

/**
 * The natural-language operator's tables. `assistant_requests`: one row per question a human asked (model, tokens,
 * tool calls, cost, outcome), read per chat since a time for the daily token budget. `assistant_actions`: the
 * write actions the model proposed, each waiting for a human's confirmation; the confirm token is stored only as its
 * SHA-256 and `status` moves by compare-and-set, so a confirmation runs at most once.
 */
export function assistantMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('assistant_requests')
        .addColumn('request_id', 'text', (c) => c.primaryKey())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('chat_key', 'text', (c) => c.notNull())
        .addColumn('user_key', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('input_tokens', 'integer', (c) => c.notNull())
        .addColumn('output_tokens', 'integer', (c) => c.notNull())
        .addColumn('tool_calls', 'integer', (c) => c.notNull())
        .addColumn('cost_usd', 'double precision', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('budget', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_assistant_requests_chat_created').on('assistant_requests').columns(['chat_key', 'created_at']).execute();
      await db.schema.createIndex('idx_assistant_requests_created').on('assistant_requests').column('created_at').execute();

      await db.schema
        .createTable('assistant_actions')
        .addColumn('action_id', 'text', (c) => c.primaryKey())
        .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('chat_key', 'text', (c) => c.notNull())
        .addColumn('user_key', 'text', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('args_json', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('result_text', 'text')
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('assistant_actions').ifExists().execute();
      await db.schema.dropTable('assistant_requests').ifExists().execute();
    },
  };
}
