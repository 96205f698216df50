import { dirname, resolve } from 'node:path';
import { openReadOnlyStore, openStore, resolveLocation, StoreError, type OpenDatabase, type StoreLocationInput } from '@agentpr/store';
import { makeDirectory } from '@agentpr/workspace/directories';

/**
 * Opens the store an app was pointed at (`--database-url`, else the SQLite `--db` path) and migrates it. The
 * SQLite file's directory is created first with {@link makeDirectory} (0700 for each level it makes, since the
 * database is private), so a bad path fails at once with one line instead of hanging in Node's recursive mkdir;
 * the store then creates the database file 0600.
 */
export async function openAppStore(input: StoreLocationInput): Promise<OpenDatabase> {
  const location = resolveLocation(input);
  if (location.kind === 'sqlite') {
    const file = resolve(location.path);
    try {
      makeDirectory(dirname(file), { mode: 0o700 });
    } catch (cause) {
      throw new StoreError('database_error', `cannot create the directory for database ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  return openStore(location);
}

/**
 * Opens the store an app was pointed at for reading only (the dashboard): nothing is created, migrated or written;
 * a missing SQLite file or a schema with pending migrations is refused in one line (see `openReadOnlyStore`).
 */
export async function openReadOnlyAppStore(input: StoreLocationInput): Promise<OpenDatabase> {
  return openReadOnlyStore(resolveLocation(input));
}
