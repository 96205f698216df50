import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import { openPostgres, SQLITE_BUSY_TIMEOUT_MS, type DatabaseLocation, type OpenDatabase } from './dialect.js';
import { StoreError } from './errors.js';
import { MIGRATION_NAMES } from './migrations/names.js';
import type { Database, Db } from './schema.js';

/**
 * Opens the store for reading only (the dashboard): nothing it runs can write. SQLite is opened `readonly` with
 * `query_only` on (WAL readers never block the webhook's or the manager's writes); PostgreSQL sessions start with
 * `default_transaction_read_only = on`. It never creates or migrates the database: a missing file, a schema with
 * pending migrations or one from a newer build is refused in one line that says what to run.
 *
 * @example
 * const store = await openReadOnlyStore({ kind: 'sqlite', path: '/var/lib/agentpr/agentpr.db' });
 */
export async function openReadOnlyStore(location: DatabaseLocation): Promise<OpenDatabase> {
  const open = location.kind === 'sqlite' ? await openSqliteReadOnly(location.path) : await openPostgres(location.url, { readOnly: true, max: 4 });
  try {
    await checkSchemaCurrent(open);
  } catch (error) {
    await open.close().catch(() => {});
    throw error;
  }
  return open;
}

async function openSqliteReadOnly(path: string): Promise<OpenDatabase> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new StoreError('database_error', `database ${file} does not exist; run any agentpr command (e.g. \`agentpr doctor\`) with the same --db to create it.`);
  }
  const { default: SqliteDatabase } = await import('better-sqlite3');
  let database: BetterSqlite3.Database;
  try {
    database = new SqliteDatabase(file, { readonly: true, fileMustExist: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
    database.pragma('query_only = ON');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  } catch (cause) {
    throw new StoreError('database_error', `cannot open database ${file} read-only: ${(cause as Error).message}`, { cause });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', label: file, close: () => db.destroy() };
}

/** Refuses a schema this build cannot read: pending migrations (the writer has not run yet) or a newer build's. */
async function checkSchemaCurrent(open: OpenDatabase): Promise<void> {
  let applied: string[];
  try {
    const rows = await (open.db as Db as Kysely<any>).selectFrom('kysely_migration').select('name').execute();
    applied = (rows as Array<{ name: string }>).map((r) => r.name);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw new StoreError('not_a_database', `${open.label} is not an agentpr SQLite database; pass --db with another file.`, { cause });
    // No migration table yet (SQLite's "no such table", PostgreSQL's undefined_table): nothing migrated. Anything else is a fault.
    const message = oneLine((cause as Error).message);
    if (code !== '42P01' && !/no such table/i.test(message)) {
      throw new StoreError('database_error', `cannot read the schema version of ${open.label}: ${message}${cantOpenHint(open, code, message)}`, { cause });
    }
    applied = [];
  }
  const unknown = applied.filter((n) => !MIGRATION_NAMES.includes(n)).sort();
  if (unknown.length > 0) {
    throw new StoreError('schema_too_new', `database ${open.label} was written by a newer agentpr (schema ${unknown.at(-1)}; this build knows up to ${MIGRATION_NAMES.at(-1)}). Upgrade agentpr; nothing was changed.`);
  }
  if (applied.length < MIGRATION_NAMES.length) {
    throw new StoreError('database_error', `database ${open.label} needs migrating before it can be read; run any agentpr command against it (e.g. \`agentpr doctor\`), then start again.`);
  }
}

/**
 * A WAL database in a read-only directory can be read only while its -wal and -shm files exist (a writer has it
 * open): SQLite cannot create them, and fails with "unable to open database file". Says so, on the same line.
 */
function cantOpenHint(open: OpenDatabase, code: string | undefined, message: string): string {
  if (open.dialect !== 'sqlite' || (code !== 'SQLITE_CANTOPEN' && !/unable to open database file/i.test(message))) return '';
  return ' (a WAL database in a read-only directory is readable only while a writer has it open: start the webhook or the manager first, ' +
    'or give the dashboard a directory it may write its -shm file to)';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 300);
}
