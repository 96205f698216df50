import { ensureSchema } from './migrate.js';
import { isPostgresUrl, openDatabase, type DatabaseLocation, type OpenDatabase } from './dialect.js';

/** Where to open the store: a PostgreSQL URL wins over a SQLite path. */
export interface StoreLocationInput {
  databaseUrl?: string | undefined;
  sqlitePath: string;
}

/** Picks the database location from a `postgres://` URL or a SQLite file path. */
export function resolveLocation(input: StoreLocationInput): DatabaseLocation {
  const url = input.databaseUrl?.trim();
  if (url) {
    if (!isPostgresUrl(url)) throw new Error(`--database-url must be a postgres:// URL; for SQLite use --db PATH`);
    return { kind: 'postgres', url };
  }
  return { kind: 'sqlite', path: input.sqlitePath };
}

/**
 * Opens the store and applies pending migrations.
 *
 * @example
 * const store = await openStore({ kind: 'sqlite', path: '/var/lib/agentpr/agentpr.db' });
 * try { console.log(await listRuns(store.db, { limit: 20 })); } finally { await store.close(); }
 */
export async function openStore(location: DatabaseLocation, options: { migrate?: boolean } = {}): Promise<OpenDatabase> {
  const open = await openDatabase(location);
  if (options.migrate === false) return open;
  try {
    await ensureSchema(open);
  } catch (error) {
    await open.close().catch(() => {});
    throw error;
  }
  return open;
}
