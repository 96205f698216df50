import { resolve } from 'node:path';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
} from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from './errors.js';
import { createPrivateDatabaseFile } from './private-file.js';
import type { Database, Db } from './schema.js';

/** The two supported database engines. */
export type DialectName = 'sqlite' | 'postgres';

/** Where the database lives: a SQLite file path, or a `postgres://` URL. */
export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * SQLite driver whose transactions start with `BEGIN IMMEDIATE`, so a writer takes the lock up front and waits
 * on the busy timeout instead of failing with SQLITE_BUSY when it upgrades a read lock.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

function sqliteDialect(database: BetterSqlite3.Database): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: (): Driver => new ImmediateSqliteDriver({ database }),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
}

/** The dialect of an open handle (or transaction). */
export function dialectOf(db: Db): DialectName {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}

/** A URL with its password replaced, safe for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** True for `postgres://` and `postgresql://` URLs. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** An open connection to the store. */
export interface OpenDatabase {
  db: Db;
  dialect: DialectName;
  /** The SQLite path or the redacted PostgreSQL URL, for messages. */
  label: string;
  close(): Promise<void>;
}

/** SQLite busy timeout in milliseconds: at least 5 s, so concurrent writers wait for each other instead of failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

async function openSqlite(path: string): Promise<OpenDatabase> {
  const file = resolve(path);
  try {
    createPrivateDatabaseFile(file);
  } catch (cause) {
    throw new StoreError('database_error', `cannot create database ${file}: ${(cause as Error).message}`, { cause });
  }
  const { default: SqliteDatabase } = await import('better-sqlite3');
  let database: BetterSqlite3.Database;
  try {
    database = new SqliteDatabase(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (cause) {
    throw new StoreError('database_error', `cannot open database ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  } catch (cause) {
    database.close();
    const code = (cause as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError('not_a_database', `${file} is not an agentpr SQLite database (${(cause as Error).message}); pass --db with another file or move it away.`, { cause });
    }
    throw new StoreError('database_error', `cannot use database ${file}: ${(cause as Error).message}`, { cause });
  }
  const db = new Kysely<Database>({ dialect: sqliteDialect(database) });
  return { db, dialect: 'sqlite', label: file, close: () => db.destroy() };
}

/**
 * Opens a PostgreSQL pool and checks one connection, or throws `database_unreachable` in one line (the URL redacted).
 * `readOnly`: every session starts with `default_transaction_read_only = on`, so nothing it runs can write.
 */
export async function openPostgres(url: string, options: { readOnly?: boolean; max?: number } = {}): Promise<OpenDatabase> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 8,
    connectionTimeoutMillis: 5_000,
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => {});
  const label = redactUrl(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new StoreError('database_unreachable', `cannot connect to PostgreSQL at ${label}: ${(cause as Error).message}. Check --database-url / AGENTPR_DATABASE_URL and that the server is running.`, { cause });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', label, close: () => db.destroy() };
}

/** Opens the database at `location` (no migrations; see {@link openStore}). */
export function openDatabase(location: DatabaseLocation): Promise<OpenDatabase> {
  return location.kind === 'sqlite' ? openSqlite(location.path) : openPostgres(location.url);
}

/**
 * Runs `fn` in a transaction, or directly when `db` already is one. On SQLite the transaction takes the write
 * lock at once (`BEGIN IMMEDIATE`); on PostgreSQL callers lock the rows they change (see `lockRun`).
 */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
