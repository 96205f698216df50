import { randomBytes } from 'node:crypto';
import { lstat, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isInsideRoot, makeDirectory } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { fileStamp } from '../file-stamp.js';

/** The folder under a workspace root where stale copies are kept: no GitHub owner starts with a dot, so no run lands there. */
export const STALE_FOLDER = '.agentpr-stale';

/**
 * Moves a stale local copy of a run's workspace out of the way, without reading it and without running git in it (it
 * may hold a planted hook or config from an earlier stay): a directory is renamed to
 * `<root>/.agentpr-stale/<owner>/<repo>/<run_id>-<stamp>-<random>` (kept for a human to look at; nothing reads it again), a
 * symlink or other file at the path is removed itself, never followed. Returns where the copy went, or null when
 * nothing was there or it was removed.
 *
 * @example
 * const kept = await moveAsideStale(ctx, 'o/r/run_1', '/srv/ws/o/r/run_1'); // '/srv/ws/.agentpr-stale/o/r/run_1-20261205T…Z'
 */
export async function moveAsideStale(ctx: Pick<AppContext, 'paths' | 'clock'>, rel: string, dir: string): Promise<string | null> {
  const root = ctx.paths.workspaceRoot;
  if (!isInsideRoot(root, dir)) throw new AgentprError('refused', `workspace ${dir} is outside the workspace root ${root}; refused.`);
  const found = await lstat(dir).catch(() => undefined);
  if (!found) return null;
  if (!found.isDirectory()) {
    await unlink(dir);
    return null;
  }
  const target = join(root, STALE_FOLDER, ...rel.split('/')) + `-${fileStamp(ctx.clock())}-${randomBytes(3).toString('hex')}`;
  makeDirectory(dirname(target), { mode: 0o700 });
  try {
    await rename(dir, target);
    return target;
  } catch (error) {
    // Another file system under the root (a mount point): the copy cannot be kept, so it goes.
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await rm(dir, { recursive: true, force: true });
    return null;
  }
}
