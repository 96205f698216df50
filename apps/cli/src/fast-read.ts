import type { SqliteReader } from '@agentpr/store/sqlite-reader';
import type { CommandContext } from './command.js';

/**
 * Runs a read-only query through the SQLite fast path (no kysely, no migration machinery) when the store is
 * a SQLite file that is already up to date. Returns `undefined` when the fast path does not apply or the
 * query found nothing, so the caller falls back to the full store (which also produces the not-found error).
 */
export async function readFast<T>(ctx: CommandContext, query: (reader: SqliteReader) => T | null): Promise<T | undefined> {
  if (ctx.globals.databaseUrl) return undefined;
  const { openSqliteReader } = await import('@agentpr/store/sqlite-reader');
  const reader = openSqliteReader(ctx.globals.db);
  if (!reader) return undefined;
  try {
    return query(reader) ?? undefined;
  } finally {
    reader.close();
  }
}
