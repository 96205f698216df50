import { mkdtempSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/** A new empty directory under the OS temp dir (real path, symlinks resolved). Removed by {@link cleanupTempDirs}. */
export function tempDir(prefix = 'agentpr-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  created.push(dir);
  return dir;
}

/** Removes every directory made by {@link tempDir} in this process. */
export function cleanupTempDirs(): void {
  while (created.length > 0) {
    const dir = created.pop()!;
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: a test may have made a file read-only on purpose
    }
  }
}
