import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * The absolute path of an executable named `name` on `env.PATH` (the PATH passed in, not this process's), or
 * undefined. A name with a `/` is checked as a path.
 */
export async function findExecutable(name: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  if (name.includes('/')) return (await isExecutableFile(name)) ? name : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** True for a regular file (after following symlinks) with an execute permission. */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
