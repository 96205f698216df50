import { closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes sure the SQLite file `file` exists before SQLite opens it, created 0600 whatever the umask, and its
 * directory 0700 when it has to be made. SQLite creates the `-wal` and `-shm` files itself with the mode of the
 * database file, so a private database keeps private companions. An existing file keeps its mode.
 */
export function createPrivateDatabaseFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}
