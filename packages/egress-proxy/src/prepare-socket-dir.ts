import { lstatSync, mkdirSync } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import { EgressProxyError } from './errors.js';

/** Max length of a unix socket path on Linux (`sun_path` is 108 bytes including the NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Checks a socket path before the proxy listens on it: absolute, short enough, not existing yet, and inside a
 * directory only this user can enter (0700, not a symlink, owned by us). A missing directory is created with 0700
 * (its parent must exist); returns whether it was created, so `close()` removes only what it made.
 */
export function prepareSocketDir(socketPath: string): { createdDir: boolean } {
  if (!isAbsolute(socketPath) || basename(socketPath) === '' || socketPath.endsWith('/')) {
    throw new EgressProxyError('invalid_option', `egress proxy socket path ${JSON.stringify(socketPath)} must be an absolute file path.`);
  }
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new EgressProxyError('invalid_option', `egress proxy socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter directory (e.g. under /tmp).`);
  }
  const dir = dirname(socketPath);
  let createdDir = false;
  try {
    mkdirSync(dir, { mode: 0o700 });
    createdDir = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new EgressProxyError('socket_dir_unsafe', `cannot create the egress proxy directory ${dir}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (stat.mode & 0o077) !== 0 || (uid !== undefined && stat.uid !== uid)) {
    throw new EgressProxyError('socket_dir_unsafe', `egress proxy directory ${dir} must be a real directory owned by this user with mode 0700; use a fresh directory (mkdtemp).`);
  }
  let exists = true;
  try {
    lstatSync(socketPath);
  } catch {
    exists = false;
  }
  if (exists) throw new EgressProxyError('socket_path_exists', `egress proxy socket path ${socketPath} already exists; use a fresh path (a stale socket is never replaced).`);
  return { createdDir };
}
