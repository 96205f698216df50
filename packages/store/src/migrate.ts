import { Migrator, type MigrationProvider } from 'kysely';
import { dialectOf, type OpenDatabase } from './dialect.js';
import { StoreError } from './errors.js';
import { migrations } from './migrations/index.js';
import type { Db } from './schema.js';

const MIGRATION_TABLE = 'kysely_migration';

/** Names of the migrations this build knows, in order. */
export function knownMigrationNames(db: Db): string[] {
  return Object.keys(migrations(dialectOf(db))).sort();
}

async function appliedMigrationNames(db: Db): Promise<string[] | null> {
  try {
    const rows = await (db as any).selectFrom(MIGRATION_TABLE).select('name').execute();
    return (rows as Array<{ name: string }>).map((r) => r.name);
  } catch {
    return null;
  }
}

/** The result of {@link ensureSchema}. */
export interface SchemaStatus {
  applied: string[];
  newlyApplied: string[];
}

/**
 * Brings the schema up to date. Never destructive: only `up` runs. Refuses a database written by a newer build
 * (a migration name this build does not know) without touching it. Cheap when nothing is pending: one query.
 */
export async function ensureSchema(open: OpenDatabase): Promise<SchemaStatus> {
  const { db, label } = open;
  const known = knownMigrationNames(db);
  const applied = await appliedMigrationNames(db);
  if (applied) {
    const unknown = applied.filter((name) => !known.includes(name)).sort();
    if (unknown.length > 0) {
      throw new StoreError(
        'schema_too_new',
        `database ${label} was written by a newer agentpr (schema ${unknown.at(-1)}; this build knows up to ${known.at(-1)}). Upgrade agentpr; nothing was changed.`,
      );
    }
    if (applied.length === known.length) return { applied, newlyApplied: [] };
  }
  const all = migrations(dialectOf(db));
  const provider: MigrationProvider = { getMigrations: async () => all };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreError('database_error', `migrating database ${label} failed: ${message}`, { cause: error });
  }
  const newlyApplied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  return { applied: known, newlyApplied };
}
