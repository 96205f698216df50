import type { Kysely, Migration } from 'kysely';

/**
 * `run_states.held_facts_json`: GitHub facts held while a run is PAUSED or NEEDS_HUMAN_REVIEW (issue 13), so
 * `resume` acts on them. Null when there are none; the state machine reads and writes it (`parseHeldFacts`).
 */
export function heldFactsMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('run_states').addColumn('held_facts_json', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('run_states').dropColumn('held_facts_json').execute();
    },
  };
}
