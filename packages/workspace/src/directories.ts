import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends. Node 20's `mkdir(path, { recursive: true })` never returns (and ignores SIGTERM,
 * spinning a core) when an existing parent refuses children with ENOENT, as `/proc` does; this walks up to the
 * nearest existing ancestor and creates the missing levels one at a time, so every failure is thrown at once.
 * An existing directory is fine; an existing non-directory is ENOTDIR. With `mode`, every level this call creates
 * gets exactly that mode whatever the umask (existing levels are left alone): `{ mode: 0o700 }` for private data.
 */
export function makeDirectory(path: string, options: { mode?: number } = {}): void {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    const found = statSync(current, { throwIfNoEntry: false });
    if (found) {
      if (!found.isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${current}'`), { code: 'ENOTDIR', path: current, syscall: 'mkdir' });
      }
      break;
    }
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, options.mode === undefined ? undefined : { mode: options.mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      continue;
    }
    // mkdir's mode is masked by the umask; chmod makes it exact.
    if (options.mode !== undefined) chmodSync(dir, options.mode);
  }
}
